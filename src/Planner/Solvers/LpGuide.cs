using AutoCkpt.Formats;
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

    public static Result Solve(ChainGraph t, long capBytes, TimeSpan limit)
    {
        using var lp = new MipModel(t, "GLOP", relax: true);
        lp.SetCap(capBytes);
        lp.MinimiseTime(true);
        var (status, value, _) = lp.Solve(limit, 0);
        if (status == Solver.ResultStatus.INFEASIBLE) return new(true, double.PositiveInfinity, null);
        if (status != Solver.ResultStatus.OPTIMAL) return new(false, 0, null);
        var values = lp.ArcValues();
        var allowed = values.Select(r => new bool[r.Length]).ToArray();
        var covered = new bool[t.Stages];
        for (int a = 0; a < values.Length; a++)
            for (int j = 0; j < values[a].Length; j++)
            {
                if (values[a][j] < 1e-6) continue;
                var arc = t.Out[a][j];
                allowed[a][j] = true;
                if (arc.Ticks == 0) continue;
                // A ticked arc the LP uses: the arcs of the same strategy whose ends are within the slack, and a
                // zero-tick arc at every unit they cover.
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
                    if (t.Out[p][j].Ticks == 0) allowed[p][j] = true;
        // A relative 1e-9 under the LP optimum keeps the bound valid under GLOP's tolerances.
        return new(false, Math.Max(0, value * (1 - 1e-9) - 1e-6), allowed);
    }
}
