using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Strategies;

namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// Recompute time as whole ticks, so that every solver compares plans exactly and ties (plans whose recompute
/// times are equal) are the same for all of them. A tick is 1 ns, or 10⁻⁸ of the most recompute time a plan can
/// take (every unit its own segment) when that is larger, which keeps a MIP's time row below 10⁸ and exact under
/// solver tolerances. Ticks are on the stages' own time scale: the cost model's factor to the measured step
/// (<see cref="StepCostModel.TimeScale"/>) is common to every unit and to the per-segment cost, so it orders plans alike.
/// </summary>
internal static class TimeTicks
{
    public static double TickSeconds(Profile profile) =>
        Math.Max(1e-9, (profile.Stages.Sum(s => s.ForwardSeconds) + profile.Stages.Count * (UnscaledSegmentSeconds(profile) + UnscaledUnitSeconds(profile))) / 1e8);

    /// <summary>
    /// Per unit i, <c>ticks[i]</c>: its forward time and the runtime's cost per recomputed unit (the profile's
    /// <c>recompute_unit_seconds</c>, 0 without), what recomputing it costs; one more entry, <c>ticks[n]</c>
    /// (<see cref="Segment"/>): what each recompute segment costs beyond its units (the profile's
    /// <c>recompute_segment_seconds</c>, 0 without); and the per-unit ticks of each registered strategy whose recompute
    /// costs other than the forward (<see cref="PlanStrategy.RecomputeSeconds"/>), where the profile has its figures.
    /// </summary>
    public static TickTable Of(Profile profile)
    {
        double tick = TickSeconds(profile), unit = UnscaledUnitSeconds(profile);
        long[] ticks = [.. profile.Stages.Select(s => (long)Math.Round((s.ForwardSeconds + unit) / tick)), (long)Math.Round(UnscaledSegmentSeconds(profile) / tick)];
        var own = new Dictionary<SegmentStrategy, long[]>();
        foreach (var strategy in StrategyRegistry.All)
        {
            var seconds = profile.Stages.Select(strategy.RecomputeSeconds).ToList();
            if (seconds.Any(s => s is not null) && !own.ContainsKey(strategy.Runs))
                own[strategy.Runs] = [.. seconds.Select((s, i) => s is { } x ? (long)Math.Round((x + unit) / tick) : ticks[i]), ticks[^1]];
        }
        var options = new Dictionary<(SegmentStrategy, int, string), long>();
        foreach (var strategy in StrategyRegistry.All)
            for (int i = 0; i < profile.Stages.Count; i++)
                foreach (var (option, seconds) in strategy.OptionSeconds(profile.Stages[i]))
                    options[(strategy.Runs, i, option)] = (long)Math.Round((seconds + unit) / tick);
        return new TickTable(ticks, own, options);
    }

    /// <summary>The ticks each recompute segment costs beyond its units: the last entry of <see cref="Of"/>.</summary>
    public static long Segment(TickTable ticks) => ticks[^1];

    /// <summary>
    /// The recompute ticks of a plan: per segment whose strategy <see cref="SegmentStrategy.Recomputes"/>,
    /// <see cref="Segment"/> and each recomputed unit's ticks under that strategy (<see cref="TickTable.For"/>), once per
    /// recompute that runs it (<see cref="NestedSegments.Recomputed"/>).
    /// </summary>
    public static long OfPlan(TickTable ticks, IReadOnlyList<Segment> segments)
    {
        long t = 0;
        foreach (var seg in segments)
            if (seg.Option is { } option && ticks.Option(seg.Strategy, seg.First, option) is { } optionTicks)
                t += Segment(ticks) + optionTicks;
            else if (seg.Strategy.Recomputes)
            {
                t += Segment(ticks);
                var own = ticks.For(seg.Strategy);
                foreach (int i in NestedSegments.Recomputed(seg)) t += own[i];
            }
        return t;
    }

    private static double UnscaledSegmentSeconds(Profile profile) =>
        (profile.StepTime?.RecomputeSegmentSeconds ?? 0) / StepCostModel.TimeScale(profile);

    private static double UnscaledUnitSeconds(Profile profile) =>
        (profile.StepTime?.RecomputeUnitSeconds ?? 0) / StepCostModel.TimeScale(profile);
}
