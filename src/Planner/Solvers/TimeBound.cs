namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// A lower bound on the recompute ticks a partial plan at position p still needs to end under the cap, the larger
/// of two fractional knapsacks over the stages still to come (stages taken by ticks per byte):
/// <list type="bullet">
/// <item>releases: whatever the stages from p on do, the final a grows by at least Σ (R − release) over the stages
/// kept (runs of recompute arcs add at least 0, less the input freed by one that continues a recompute arc before p:
/// the caller lowers a by that), so the recomputed ones must give up at least the excess;</item>
/// <item>holdings: the last stage's forward and backward points sit on top of everything held at the end of the
/// forward, y + Σ R over the stages kept after p (recomputed stages hold at least nothing), so the recomputed ones
/// must give up at least that excess too; the last stage itself is either kept (its own points) or ends a
/// recompute segment (the least point any such segment starting at or after p has, plus its ticks).</item>
/// </list>
/// </summary>
internal sealed class TimeBound
{
    private readonly int _n;
    private readonly long[] _netSuffix, _holdSuffix, _lastRecompute;
    private readonly long _lastKeep, _lastTicks;
    private readonly SuffixKnapsack _releases, _holdings;
    private readonly CostToGo? _toGo;
    private readonly long _toGoBudget;

    /// <summary>The bound for any cap; with <paramref name="budget"/> (cap − F), also the table of <see cref="CostToGo"/>.</summary>
    public TimeBound(SegmentTables t, long? budget = null)
    {
        if (budget is { } b) (_toGo, _toGoBudget) = (new CostToGo(t, b), b);
        int n = _n = t.Stages;
        _netSuffix = new long[n + 1];
        _holdSuffix = new long[n + 1];
        _lastRecompute = new long[n + 1];
        for (int p = n - 1; p >= 0; p--) _netSuffix[p] = _netSuffix[p + 1] + t.KeepHold[p] - t.KeepRelease[p];
        for (int p = n - 2; p >= 0; p--) _holdSuffix[p] = _holdSuffix[p + 1] + t.KeepHold[p];
        _releases = new SuffixKnapsack(n, i => t.KeepHold[i] - t.KeepRelease[i], t.Ticks);
        _holdings = new SuffixKnapsack(Math.Max(0, n - 1), i => t.KeepHold[i], t.Ticks);
        if (n == 0) return;
        // Relative to the bytes held where the last stage's arc starts: kept, its forward point and its backward point
        // (y_n + max(O + BT, −D)); ending a recompute segment [s, n−1], its forward point and its hold plus its
        // backward point. Those segments that start at or after p: a suffix minimum.
        _lastKeep = Math.Max(t.KeepForward[n - 1], t.KeepHold[n - 1] + t.KeepBackward[n - 1]);
        _lastTicks = t.Ticks[n - 1];
        _lastRecompute[n] = long.MaxValue;
        for (int s = n - 1; s >= 0; s--)
        {
            int l = n - s;
            long point = l <= t.RecForward[s].Length
                ? Math.Max(t.RecForward[s][l - 1], t.RecHold[s][l - 1] + t.RecBackward[s][l - 1])
                : long.MaxValue;
            _lastRecompute[s] = Math.Min(_lastRecompute[s + 1], point);
        }
    }

    /// <summary>
    /// Ticks still needed from position p by a partial plan holding y with this a (bytes above F), to end with a
    /// peak ≤ F + budget; +∞ when no completion can.
    /// </summary>
    public double Ticks(int p, long a, long y, long budget)
    {
        double releases = _releases.Ticks(p, a + _netSuffix[p] - budget);
        if (p >= _n || double.IsPositiveInfinity(releases)) return releases;
        // Stages p..n−2 keep or give up their holdings; the last stage adds its own point (kept or recomputed).
        long held = y + (p <= _n - 2 ? _holdSuffix[p] : 0);
        double keepLast = _holdings.Ticks(p, held + _lastKeep - budget);
        double recomputeLast = _lastRecompute[p] == long.MaxValue
            ? double.PositiveInfinity
            : _lastTicks + _holdings.Ticks(p, held + _lastRecompute[p] - budget);
        double holdings = Math.Min(keepLast, recomputeLast);
        double toGo = _toGo is not null && budget == _toGoBudget ? _toGo.Ticks(p, y, budget) : 0;
        return Math.Max(releases, Math.Max(holdings, toGo));
    }

    /// <summary>
    /// For each start p, the least ticks to give up at least <c>need</c> bytes choosing, fractionally, among the
    /// items p..count−1 with positive bytes: Dantzig's bound.
    /// </summary>
    private sealed class SuffixKnapsack
    {
        private readonly long[][] _cumBytes;
        private readonly double[][] _cumTicks;

        public SuffixKnapsack(int count, Func<int, long> bytes, long[] ticks)
        {
            _cumBytes = new long[count + 1][];
            _cumTicks = new double[count + 1][];
            for (int p = count; p >= 0; p--)
            {
                var items = Enumerable.Range(p, count - p)
                    .Select(i => (Bytes: bytes(i), Ticks: ticks[i]))
                    .Where(x => x.Bytes > 0)
                    .OrderBy(x => (double)x.Ticks / x.Bytes)
                    .ToArray();
                _cumBytes[p] = new long[items.Length + 1];
                _cumTicks[p] = new double[items.Length + 1];
                for (int i = 0; i < items.Length; i++)
                {
                    _cumBytes[p][i + 1] = _cumBytes[p][i] + items[i].Bytes;
                    _cumTicks[p][i + 1] = _cumTicks[p][i] + items[i].Ticks;
                }
            }
        }

        public double Ticks(int p, long need)
        {
            if (need <= 0) return 0;
            if (p >= _cumBytes.Length) return double.PositiveInfinity;
            var cum = _cumBytes[p];
            if (need > cum[^1]) return double.PositiveInfinity;
            int i = Array.BinarySearch(cum, need);
            if (i >= 0) return _cumTicks[p][i] - 1e-6;
            i = ~i; // cum[i-1] < need < cum[i]
            double frac = (double)(need - cum[i - 1]) / (cum[i] - cum[i - 1]);
            return _cumTicks[p][i - 1] + frac * (_cumTicks[p][i] - _cumTicks[p][i - 1]) - 1e-6;
        }
    }
}
