using AutoCkpt.Planner.Strategies;

namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// A lower bound on the recompute ticks still needed from position p by a partial plan holding y bytes, for one cap:
/// the exact optimum of a relaxation, tabulated backwards over (p, bytes left) in whole units of bytes. The relaxation
/// keeps the forward points of every arc (y_a + forward peak ≤ budget), the last arc's backward point on top of all
/// bytes held, whole stages and whole recompute segments with their held outputs; it drops the backward points of the
/// other arcs (what the releases bound in <see cref="TimeBound"/> sees). Every byte figure is rounded down to units and
/// the bytes left are rounded down too, so that a path that fits in bytes fits in units (Σ⌊xᵢ⌋ ≤ ⌊Σxᵢ⌋): the table
/// never exceeds the true optimum of the rest.
/// </summary>
internal sealed class CostToGo
{
    /// <summary>The most cell updates (positions × units × arcs) the table may take.</summary>
    private const long WorkLimit = 100_000_000;

    /// <summary>The most cells the table may hold (8 bytes each).</summary>
    private const long CellLimit = 4_000_000;

    /// <summary>The most units one position's row may hold (and at most 256 per stage): finer buys short chains nothing.</summary>
    private const long RowLimit = 32_768;

    private readonly int _n;
    private readonly long _unit;
    private readonly int _top;
    private readonly double[][] _h;

    /// <summary>
    /// Whether a chain of <paramref name="stages"/> units gets the table: each row holds at least n units of slack for
    /// rounding, so n² cells; past <see cref="CellLimit"/> (2000 units) the knapsacks bound alone.
    /// </summary>
    public static bool Fits(int stages) => (long)stages * (stages + 2) <= CellLimit;

    /// <param name="t">The chain graph.</param>
    /// <param name="budget">The cap less fixed memory, in bytes.</param>
    /// <param name="share">The share of <see cref="WorkLimit"/> to spend (a short time limit gets a coarser table).</param>
    /// <param name="deadline">When building must stop (<see cref="Deadline.PassedException"/>).</param>
    public CostToGo(ChainGraph t, long budget, double share = 1, Deadline deadline = default)
    {
        double workLimit = Math.Max(1e5, WorkLimit * Math.Clamp(share, 0, 1));
        int n = _n = t.Stages;
        // A kept arc after a checkpoint arc holds less (ChainGraph.HoldAfterCheckpoint): the table takes every arc's least hold.
        long Held(int p, in Arc arc) => arc.Hold - t.HoldAfterCheckpoint(p, arc);
        long lowest = t.Out.Select((arcs, p) => Math.Min(0, arcs.Min(a => Held(p, a)))).Sum();
        // Bytes left at a label are at most budget − lowest; along a path they grow by at most the negative holdings
        // and one unit of rounding per arc. Beyond the table the bound is 0, which is always valid.
        double span = Math.Max(1, (double)budget - 2.0 * lowest);
        int arcs = t.Out.Length == 0 ? 1 : t.Out.Max(a => a.Length);
        double unit = Math.Max(Math.Max(span * n * arcs / workLimit, span * n / CellLimit), span / Math.Min(RowLimit, 256.0 * n));
        _unit = Math.Max(1, (long)Math.Ceiling(unit));
        _top = (int)Math.Min(int.MaxValue - 1, FloorDiv((long)Math.Min(span, long.MaxValue / 2), _unit) + n + 1);
        _h = new double[n + 1][];
        _h[n] = new double[_top + 1]; // nothing left to run: nothing left to pay
        if (budget < 0) { for (int p = 0; p < n; p++) { _h[p] = new double[_top + 1]; Array.Fill(_h[p], double.PositiveInfinity); } return; }
        for (int p = n - 1; p >= 0; p--)
        {
            deadline.ThrowIfPassed();
            var h = _h[p] = new double[_top + 1];
            Array.Fill(h, double.PositiveInfinity);
            foreach (var arc in t.Out[p])
            {
                int to = p + arc.Length;
                long need = Units(arc.Forward);
                if (to == n) need = Math.Max(need, Units(Held(p, arc) + arc.Backward));
                Relax(h, _h[to], to == n, need, Units(Held(p, arc)), arc.Ticks);
            }
        }
    }

    /// <summary>Ticks still needed from position p by a partial plan holding y (bytes above F) under the budget.</summary>
    public double Ticks(int p, long y, long budget)
    {
        if (p >= _n) return 0;
        long b = FloorDiv(budget - y, _unit);
        if (b < 0) return double.PositiveInfinity; // every arc's forward point is ≥ 0
        return b > _top ? 0 : _h[p][b];
    }

    /// <summary>
    /// h[b] = min(h[b], ticks + next[b − shift]) for every b ≥ need (the arc's points fit). Below 0 units left the next
    /// arc's forward point cannot fit; after the last arc nothing is left to fit.
    /// </summary>
    private void Relax(double[] h, double[] next, bool terminal, long need, long shift, double ticks)
    {
        if (terminal)
        {
            for (long b = Math.Max(0, need); b <= _top; b++) h[b] = Math.Min(h[b], ticks);
            return;
        }
        long from = Math.Max(0, need);
        for (long b = from; b <= _top; b++)
        {
            long rest = b - shift;
            double v = rest < 0 ? double.PositiveInfinity : rest > _top ? 0 : next[rest];
            v += ticks;
            if (v < h[b]) h[b] = v;
        }
    }

    private long Units(long bytes) => FloorDiv(bytes, _unit);

    private static long FloorDiv(long x, long u) => x >= 0 ? x / u : -((-x + u - 1) / u);
}
