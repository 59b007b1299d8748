using System.Diagnostics;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Strategies.Nested;

namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// The oracle: tries every plan (kept stages and recompute segments of up to L stages; c(n) grows like 2.62ⁿ, so
/// about 3.5 million plans at 16 stages) and scores each with <see cref="StepCostModel"/> directly, sharing
/// nothing with the solvers' chain graph or the strategies' arcs. A recompute segment never spans a unit whose profile
/// says <c>recompute_allowed: false</c>; each one of two units or more is also tried multi-level, in every schedule of
/// <see cref="NestedSchedules"/> (the plan space it shares with the planner; the costs it does not). A unit the profile
/// measured saving its matmuls is also tried recomputed alone that way, and a unit with sub-module figures kept with each
/// of its sub-modules recomputed (docs/selective.md). Least recompute ticks, then
/// lowest peak, then the first found.
/// </summary>
internal sealed class ExhaustiveSolver(StepCostModel model, int maxSegment) : IPlanSolver
{
    /// <summary>The most stages the exhaustive search accepts.</summary>
    public const int MaxStages = 16;

    private readonly TickTable _ticks = TimeTicks.Of(model.Profile);

    /// <summary>Per unit, its save-matmuls recompute ticks (the profile's own figure where it has one).</summary>
    private IReadOnlyList<long> SavedTicks => _ticks.For(SegmentStrategy.SaveMatmuls);

    public string Method => "exact";

    public string Backend => "exhaustive";

    public SolveOutcome Solve(long capBytes, TimeSpan limit) => Search(capBytes, limit);

    public SolveOutcome MinimumPeak(TimeSpan limit) => Search(null, limit);

    private SolveOutcome Search(long? cap, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        int n = model.Stages, maxLen = Math.Min(maxSegment, n);
        var stack = new List<Segment>(n);
        List<Segment>? best = null;
        long bestTicks = long.MaxValue, bestPeak = long.MaxValue, leaves = 0;
        bool timedOut = false;

        void Visit(int p, long ticks)
        {
            if (timedOut || (cap is not null && ticks > bestTicks)) return;
            if (p == n)
            {
                if (++leaves % 4096 == 0 && clock.Elapsed > limit) timedOut = true;
                long peak = model.PeakBytes(stack);
                bool better = cap is { } c
                    ? peak <= c && (ticks < bestTicks || (ticks == bestTicks && peak < bestPeak))
                    : peak < bestPeak || (peak == bestPeak && ticks < bestTicks);
                if (better) { best = [.. stack]; bestTicks = ticks; bestPeak = peak; }
                return;
            }
            stack.Add(new Segment(p, p, SegmentStrategy.Keep));
            Visit(p + 1, ticks);
            stack.RemoveAt(stack.Count - 1);
            // A kept unit recomputing one sub-module, where the profile measured it run as the plan would run it (tidy or not).
            var stage = model.Profile.Stages[p];
            if (stage.SubModules.Count > 0 && stage.RecomputeAllowed && (p < model.TidyStages.Count && model.TidyStages[p]) == stage.TidyAllowed)
                for (int v = 0; v < stage.SubModules.Count; v++)
                {
                    stack.Add(new Segment(p, p, SegmentStrategy.SubModule) { Option = stage.SubModules[v].Path });
                    Visit(p + 1, ticks + _ticks.Option(SegmentStrategy.SubModule, p, stage.SubModules[v].Path)!.Value + TimeTicks.Segment(_ticks));
                    stack.RemoveAt(stack.Count - 1);
                }
            if (model.Profile.Stages[p] is { RecomputeAllowed: true, SaveMatmuls: not null })
            {
                stack.Add(new Segment(p, p, SegmentStrategy.Recompute) { SavesMatmuls = true });
                Visit(p + 1, ticks + SavedTicks[p] + TimeTicks.Segment(_ticks));
                stack.RemoveAt(stack.Count - 1);
            }
            long t = ticks;
            for (int l = 1; l <= Math.Min(maxLen, n - p) && model.Profile.Stages[p + l - 1].RecomputeAllowed
                && (l == 1 || !model.Profile.Stages[p + l - 2].OutputUsedLater); l++)
            {
                t += _ticks[p + l - 1];
                stack.Add(new Segment(p, p + l - 1, SegmentStrategy.Recompute));
                Visit(p + l, t + TimeTicks.Segment(_ticks));
                stack.RemoveAt(stack.Count - 1);
                // Multi-level: the same units, their recompute checkpointing inside (the schedules the planner offers).
                foreach (int variant in model.MultiLevel ? NestedSchedules.Variants(l) : [])
                {
                    var nested = NestedSchedules.Of(p, p + l - 1, variant);
                    stack.Add(nested);
                    Visit(p + l, ticks + NestedSegments.Recomputed(nested).Sum(i => _ticks[i]) + TimeTicks.Segment(_ticks));
                    stack.RemoveAt(stack.Count - 1);
                }
            }
        }

        Visit(0, 0);
        if (best is null)
            return timedOut ? new(SolveStatus.NoSolution, null, double.NaN) : new(SolveStatus.Infeasible, null, 0);
        // Timed out with a plan: the only bound known is 0 recompute, so the gap is 100% unless the plan has none.
        double gap = !timedOut || bestTicks == 0 ? 0 : 1;
        return new(timedOut ? SolveStatus.Feasible : SolveStatus.Optimal, SegmentList.MergeKeeps(best), gap);
    }
}
