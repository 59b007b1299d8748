namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// A lower bound on the recompute ticks a partial plan still needs. Whatever the stages from p on do, the final
/// a grows by at least Σ (R − release) over the stages kept; to fit, the recomputed ones must give up at least
/// the excess, and the cheapest way to do that, stages taken fractionally by ticks per byte, bounds the time.
/// </summary>
internal sealed class TimeBound
{
    private readonly long[] _netSuffix;
    private readonly long[][] _cumBytes;
    private readonly double[][] _cumTicks;

    public TimeBound(SegmentTables t)
    {
        int n = t.Stages;
        _netSuffix = new long[n + 1];
        _cumBytes = new long[n + 1][];
        _cumTicks = new double[n + 1][];
        for (int p = n; p >= 0; p--)
        {
            if (p < n) _netSuffix[p] = _netSuffix[p + 1] + t.KeepHold[p] - t.KeepRelease[p];
            var items = Enumerable.Range(p, n - p)
                .Select(i => (Bytes: t.KeepHold[i] - t.KeepRelease[i], Ticks: t.Ticks[i]))
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

    /// <summary>Ticks still needed from position p by a partial plan with this a, to end with a ≤ budget.</summary>
    public double Ticks(int p, long a, long budget)
    {
        long need = a + _netSuffix[p] - budget;
        if (need <= 0) return 0;
        var cum = _cumBytes[p];
        if (need > cum[^1]) return double.PositiveInfinity;
        int i = Array.BinarySearch(cum, need);
        if (i >= 0) return _cumTicks[p][i] - 1e-6;
        i = ~i; // cum[i-1] < need < cum[i]
        double frac = (double)(need - cum[i - 1]) / (cum[i] - cum[i - 1]);
        return _cumTicks[p][i - 1] + frac * (_cumTicks[p][i] - _cumTicks[p][i - 1]) - 1e-6;
    }
}
