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
    /// <remarks>
    /// The table's work is scaled to <paramref name="limit"/>: its 10⁸ cell updates (about 0.3 s of CPU) for a limit of
    /// 10 s or more, proportionally less below (docs/planner.md, "The time limit").
    /// </remarks>
    /// <remarks>
    /// Building stops with <see cref="Deadline.PassedException"/> once <paramref name="deadline"/> passes (the knapsack
    /// tables alone are about n²/2 entries: 0.2 s of CPU at 1000 units).
    /// </remarks>
    public TimeBound(ChainGraph t, long? budget = null, TimeSpan? limit = null, Deadline deadline = default)
    {
        if (budget is { } b && CostToGo.Fits(t.Stages))
            (_toGo, _toGoBudget) = (new CostToGo(t, b, (limit ?? TimeSpan.FromSeconds(10)).TotalSeconds / 10, deadline), b);
        int n = _n = t.Stages;
        _netSuffix = new long[n + 1];
        _holdSuffix = new long[n + 1];
        _lastRecompute = new long[n + 1];
        // Per unit: a zero-tick arc adds at least its least net (hold − release) to a, and its least hold to y; a ticked
        // arc adds at least min(0, its net), counted at its last unit, and spends at least the unit's tick floor on each
        // unit: giving up the difference is an item of the knapsacks.
        for (int p = n - 1; p >= 0; p--) _netSuffix[p] = _netSuffix[p + 1] + t.ZeroNet[p];
        for (int p = n - 2; p >= 0; p--) _holdSuffix[p] = _holdSuffix[p + 1] + t.ZeroHold[p];
        _releases = new SuffixKnapsack(n, i => t.CanTick[i] ? t.ZeroNet[i] - t.TickedNetFloor[i] : 0, t.UnitTicks, deadline);
        _holdings = new SuffixKnapsack(Math.Max(0, n - 1), i => t.CanTick[i] ? t.ZeroHold[i] - t.TickedHoldFloor[i] : 0, t.UnitTicks, deadline);
        if (n == 0) return;
        // Relative to the bytes held where the last unit's arc starts: a zero-tick arc, its forward point and its backward
        // point on top of its hold; a ticked arc [s, n−1], the same. Those that start at or after p: a suffix minimum.
        _lastKeep = long.MaxValue;
        foreach (var arc in t.Out[n - 1])
            if (ChainGraph.IsBase(arc)) _lastKeep = Math.Min(_lastKeep, Math.Max(arc.Forward, arc.Hold + arc.Backward));
        _lastTicks = t.UnitTicks[n - 1];
        _lastRecompute[n] = long.MaxValue;
        for (int s = n - 1; s >= 0; s--)
        {
            long point = long.MaxValue;
            foreach (var arc in t.Out[s])
                if (!ChainGraph.IsBase(arc) && s + arc.Length == n) point = Math.Min(point, Math.Max(arc.Forward, arc.Hold + arc.Backward));
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
    /// <remarks>
    /// Tables are kept for every <c>stride</c>-th start only (every start up to 1000 items), and a start p reads the
    /// table of the stored start at or before it: that one holds more items, so its knapsack costs no more, and the
    /// bound stays valid. Memory is about n²/(2·stride) entries: 1000 items take 8 MB, 10,000 items 16 MB, not 1.6 GB.
    /// </remarks>
    private sealed class SuffixKnapsack
    {
        private readonly long[][] _cumBytes;
        private readonly double[][] _cumTicks;
        private readonly int _stride, _count;

        public SuffixKnapsack(int count, Func<int, long> bytes, long[] ticks, Deadline deadline)
        {
            _count = count;
            _stride = Math.Max(1, (int)Math.Ceiling((double)count * count / 2_000_000));
            int stored = count / _stride + 1;
            _cumBytes = new long[stored][];
            _cumTicks = new double[stored][];
            var all = Enumerable.Range(0, count).Select(i => (Index: i, Bytes: bytes(i), Ticks: ticks[i])).Where(x => x.Bytes > 0)
                .OrderBy(x => (double)x.Ticks / x.Bytes).ToArray();
            // How many items start at or after each index: the size of each stored start's table.
            var atOrAfter = new int[count + 2];
            foreach (var x in all) atOrAfter[x.Index]++;
            for (int i = count - 1; i >= 0; i--) atOrAfter[i] += atOrAfter[i + 1];
            for (int q = 0; q < stored; q++)
            {
                deadline.ThrowIfPassed();
                int from = q * _stride;
                var cumBytes = _cumBytes[q] = new long[atOrAfter[Math.Min(from, count)] + 1];
                var cumTicks = _cumTicks[q] = new double[cumBytes.Length];
                int k = 0;
                foreach (var x in all)
                {
                    if (x.Index < from) continue;
                    cumBytes[k + 1] = cumBytes[k] + x.Bytes;
                    cumTicks[k + 1] = cumTicks[k] + x.Ticks;
                    k++;
                }
            }
        }

        public double Ticks(int p, long need)
        {
            if (need <= 0) return 0;
            if (p > _count) return double.PositiveInfinity;
            int q = p / _stride;
            var cum = _cumBytes[q];
            if (need > cum[^1]) return double.PositiveInfinity; // p's items are among q's: they cannot give it up either
            int i = Array.BinarySearch(cum, need);
            if (i >= 0) return _cumTicks[q][i] - 1e-6;
            i = ~i; // cum[i-1] < need < cum[i]
            double frac = (double)(need - cum[i - 1]) / (cum[i] - cum[i - 1]);
            return _cumTicks[q][i - 1] + frac * (_cumTicks[q][i] - _cumTicks[q][i - 1]) - 1e-6;
        }
    }
}
