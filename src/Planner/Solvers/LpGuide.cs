using Google.OrTools.LinearSolver;

namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// The MIP's LP relaxation, solved with GLOP: a lower bound on recompute ticks (how the gap is known on chains too
/// long for branch and bound), and the arcs it uses, to which the dynamic program is then restricted to find a
/// plan near that bound. On the synthetic GPT chains the bound is within 0.2% of the optimum at 100 stages.
/// </summary>
internal static class LpGuide
{
    /// <summary>Chains longer than this get the LP's bound and guided plan before branch and bound.</summary>
    public const int LargeChain = 150;

    /// <summary>How far, in stages, a guided arc's ends may move from an arc the LP uses.</summary>
    private const int Slack = 1;

    /// <summary>The bound, and the arcs the guided search may use, [p][j] as <see cref="ChainGraph.Out"/>.</summary>
    public sealed record Result(bool Infeasible, double LowerBoundTicks, bool[][]? Allowed);

    /// <summary>The most arcs the LP is built for: 10,000 units at L = 200 (2 million arcs) took 68 s and 5 GB.</summary>
    public const int MaxArcs = 400_000;

    /// <summary>
    /// Whether the LP is worth building within <paramref name="limit"/>: neither its build nor GLOP stops mid-way, and
    /// both take about 25 µs per arc on this project's 2-core machine (1000 units at L = 64: 1.7–1.9 s; L = 142: 3.6–6 s).
    /// </summary>
    public static bool Fits(ChainGraph t, TimeSpan limit)
    {
        long arcs = t.Out.Sum(a => (long)a.Length);
        return arcs <= MaxArcs && limit.TotalSeconds >= arcs * 25e-6;
    }

    /// <summary>
    /// The arcs a guided search may use around the arcs a relaxation <paramref name="used"/>, [p][j] as
    /// <see cref="ChainGraph.Out"/>: those, the arcs of the same strategy whose ends are within the slack of a used
    /// ticked arc, and a zero-tick arc at every unit they cover.
    /// </summary>
    public static bool[][] Around(ChainGraph t, Func<int, int, bool> used)
    {
        var allowed = t.Out.Select(r => new bool[r.Length]).ToArray();
        var covered = new bool[t.Stages];
        for (int a = 0; a < t.Stages; a++)
            for (int j = 0; j < t.Out[a].Length; j++)
            {
                if (!used(a, j)) continue;
                var arc = t.Out[a][j];
                allowed[a][j] = true;
                if (ChainGraph.IsBase(arc)) continue;
                int b = a + arc.Length - 1;
                for (int a2 = Math.Max(0, a - Slack); a2 <= Math.Min(t.Stages - 1, a + Slack); a2++)
                    for (int j2 = 0; j2 < t.Out[a2].Length; j2++)
                    {
                        var other = t.Out[a2][j2];
                        int b2 = a2 + other.Length - 1;
                        if (other.Strategy != arc.Strategy || Math.Abs(b2 - b) > Slack) continue;
                        allowed[a2][j2] = true;
                        for (int i = a2; i <= b2; i++) covered[i] = true;
                    }
            }
        for (int p = 0; p < t.Stages; p++)
            if (covered[p])
                for (int j = 0; j < t.Out[p].Length; j++)
                    if (ChainGraph.IsBase(t.Out[p][j])) allowed[p][j] = true;
        return allowed;
    }

    public static Result Solve(ChainGraph t, long capBytes, TimeSpan limit)
    {
        using var lp = new MipModel(t, "GLOP", relax: true);
        lp.SetCap(capBytes);
        lp.MinimiseTime(true);
        var (status, value, _) = lp.Solve(limit, 0);
        if (status == Solver.ResultStatus.INFEASIBLE) return new(true, double.PositiveInfinity, null);
        if (status != Solver.ResultStatus.OPTIMAL) return new(false, 0, null);
        var values = lp.ArcValues();
        var allowed = Around(t, (a, j) => values[a][j] >= 1e-6);
        // A relative 1e-9 under the LP optimum keeps the bound valid under GLOP's tolerances.
        return new(false, Math.Max(0, value * (1 - 1e-9) - 1e-6), allowed);
    }
}
