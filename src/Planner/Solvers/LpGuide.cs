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

    /// <summary>The bound, and the arcs the guided search may use: keep arcs [p], recompute arcs [a][l−1].</summary>
    public sealed record Result(bool Infeasible, double LowerBoundTicks, bool[]? AllowedKeep, bool[][]? Allowed);

    public static Result Solve(SegmentTables t, long capBytes, TimeSpan limit)
    {
        using var lp = new MipModel(t, "GLOP", relax: true);
        lp.SetCap(capBytes);
        lp.MinimiseTime(true);
        var (status, value, _) = lp.Solve(limit, 0);
        if (status == Solver.ResultStatus.INFEASIBLE) return new(true, double.PositiveInfinity, null, null);
        if (status != Solver.ResultStatus.OPTIMAL) return new(false, 0, null, null);
        var keepValues = lp.KeepValues();
        var values = lp.RecomputeValues();
        var allowed = values.Select(r => new bool[r.Length]).ToArray();
        for (int a = 0; a < values.Length; a++)
            for (int l = 1; l <= values[a].Length; l++)
            {
                if (values[a][l - 1] < 1e-6) continue;
                int b = a + l - 1;
                for (int a2 = Math.Max(0, a - Slack); a2 <= Math.Min(t.Stages - 1, a + Slack); a2++)
                    for (int b2 = Math.Max(a2, b - Slack); b2 <= Math.Min(t.Stages - 1, b + Slack); b2++)
                        if (b2 - a2 + 1 <= allowed[a2].Length) allowed[a2][b2 - a2] = true;
            }
        // Keep where the LP keeps, and wherever an allowed recompute arc could run instead.
        var keep = keepValues.Select(v => v > 1e-6).ToArray();
        for (int a = 0; a < allowed.Length; a++)
            for (int l = 1; l <= allowed[a].Length; l++)
                if (allowed[a][l - 1])
                    for (int i = a; i < a + l; i++) keep[i] = true;
        // A relative 1e-9 under the LP optimum keeps the bound valid under GLOP's tolerances.
        return new(false, Math.Max(0, value * (1 - 1e-9) - 1e-6), keep, allowed);
    }
}
