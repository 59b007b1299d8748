using System.Diagnostics;
using AutoCkpt.Planner.CostModel;

namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// The default policy (docs/planner.md, "Which solver by default"). The dynamic program goes first: it proves the
/// common case, chains of repeated blocks, in well under a second where SCIP takes several. On a chain of up to
/// <see cref="LpGuide.LargeChain"/> stages it gets half the time limit, and if it has not proved the answer by then,
/// the MIP on SCIP gets the rest, from the same start plans; the better plan is kept and the better bound measures it.
/// On longer chains the dynamic program's LP-guided pipeline has all the time. Every outcome names what proved it.
/// </summary>
internal sealed class AutoSolver(StepCostModel model, int maxSegment, Deadline deadline = default) : IPlanSolver
{
    private readonly DynamicProgramSolver _dp = new(model, maxSegment, deadline);
    private readonly TickTable _ticks = TimeTicks.Of(model.Profile);

    /// <summary>The least time left for which the SCIP phase runs.</summary>
    private const double ScipFloorSeconds = 0.5;

    public string Method => "auto";

    public string Backend => "dp";

    public SolveOutcome Solve(long capBytes, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        bool large = model.Stages > LpGuide.LargeChain;
        var dp = _dp.Solve(capBytes, large ? limit : limit / 2);
        // Below a second SCIP cannot build and search its model in the time left: the dynamic program's answer stands.
        if (large || dp.Status is SolveStatus.Optimal or SolveStatus.Infeasible || (limit - clock.Elapsed).TotalSeconds < ScipFloorSeconds)
            return dp.Segments is null && dp.Status == SolveStatus.NoSolution ? dp : dp with { Source = dp.Source ?? "dp" };
        var mip = new MipSolver(model, maxSegment, "SCIP").Solve(capBytes, limit - clock.Elapsed);
        return Better(dp, mip with { Source = mip.Source ?? "SCIP" });
    }

    public SolveOutcome MinimumPeak(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var dp = _dp.MinimumPeak(limit / 2);
        if (dp.Status == SolveStatus.Optimal) return dp with { Source = "dp" };
        var mip = new MipSolver(model, maxSegment, "SCIP").MinimumPeak(limit - clock.Elapsed);
        if (mip.Status == SolveStatus.Optimal || dp.Segments is null) return mip with { Source = "SCIP" };
        if (mip.Segments is null) return dp with { Source = "dp" };
        return model.PeakBytes(mip.Segments) < model.PeakBytes(dp.Segments) ? mip with { Source = "SCIP" } : dp with { Source = "dp" };
    }

    /// <summary>SCIP's answer when it proved one; else the faster plan (then the lower peak), against the better bound.</summary>
    private SolveOutcome Better(SolveOutcome dp, SolveOutcome mip)
    {
        if (mip.Status is SolveStatus.Optimal or SolveStatus.Infeasible || dp.Segments is null) return mip;
        if (mip.Segments is null) return dp;
        long dpTicks = TimeTicks.OfPlan(_ticks, dp.Segments), mipTicks = TimeTicks.OfPlan(_ticks, mip.Segments);
        double lower = Math.Max(dpTicks * (1 - dp.Gap), mipTicks * (1 - mip.Gap));
        bool takeMip = mipTicks < dpTicks || (mipTicks == dpTicks && model.PeakBytes(mip.Segments) < model.PeakBytes(dp.Segments));
        var best = takeMip ? mip : dp;
        long ticks = Math.Min(dpTicks, mipTicks);
        double gap = ticks == 0 ? 0 : Math.Clamp((ticks - lower) / ticks, 0, 1);
        return best with { Gap = gap, Source = "dp+SCIP" };
    }
}
