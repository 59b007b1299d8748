using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;

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
        Math.Max(1e-9, (profile.Stages.Sum(s => s.ForwardSeconds) + profile.Stages.Count * UnscaledSegmentSeconds(profile)) / 1e8);

    /// <summary>
    /// Per unit i, <c>ticks[i]</c>: its forward time, what recomputing it costs; and one more entry, <c>ticks[n]</c>
    /// (<see cref="Segment"/>): what each recompute segment costs beyond its units (the profile's
    /// <c>recompute_segment_seconds</c>, 0 without).
    /// </summary>
    public static long[] Of(Profile profile)
    {
        double tick = TickSeconds(profile);
        long[] ticks = [.. profile.Stages.Select(s => (long)Math.Round(s.ForwardSeconds / tick)), (long)Math.Round(UnscaledSegmentSeconds(profile) / tick)];
        // Save-matmuls recompute times travel with the array, so that every caller's OfPlan counts them.
        if (profile.Stages.Any(s => s.SaveMatmuls is not null))
            Saved.AddOrUpdate(ticks, [.. profile.Stages.Select((s, i) => s.SaveMatmuls is { } m ? (long)Math.Round(m.RecomputeSeconds / tick) : ticks[i]), ticks[^1]]);
        // So do the sub-module options' (docs/selective.md), per unit in the order of its profile entry's sub_modules.
        if (profile.Stages.Any(s => s.SubModules.Count > 0))
            Subs.AddOrUpdate(ticks, [.. profile.Stages.Select(s => s.SubModules.Select(m => (m.Path, (long)Math.Round(m.RecomputeSeconds / tick))).ToArray())]);
        return ticks;
    }

    /// <summary>Per unit, the recompute ticks of each of its sub-modules (in the profile's order) that go with <paramref name="ticks"/> (made by <see cref="Of"/>); empty where none.</summary>
    public static long[][] SubModulesOf(long[] ticks) =>
        Subs.TryGetValue(ticks, out var subs) ? [.. subs.Select(u => u.Select(m => m.Ticks).ToArray())] : [.. Enumerable.Range(0, ticks.Length - 1).Select(_ => Array.Empty<long>())];

    /// <summary>The recompute ticks of sub-module <paramref name="path"/> of unit <paramref name="unit"/> that go with <paramref name="ticks"/>; ACKPT054 where the profile has no figures for it.</summary>
    public static long SubModule(long[] ticks, int unit, string path) =>
        Subs.TryGetValue(ticks, out var subs) && subs[unit].FirstOrDefault(m => m.Path == path) is { Path: not null } found ? found.Ticks
            : throw new AckptException(ErrorCodes.SubModuleNotFound, $"the plan recomputes '{path}' inside unit {unit}, but the profile has no figures for it (its sub_modules): profile again, and plan from that profile.");

    /// <summary>The ticks each recompute segment costs beyond its units: the last entry of <see cref="Of"/>.</summary>
    public static long Segment(long[] ticks) => ticks[^1];

    /// <summary>Per unit, the save-matmuls recompute ticks that go with <paramref name="ticks"/> (made by <see cref="Of"/>); the ticks themselves where none.</summary>
    public static long[] SavedOf(long[] ticks) => Saved.TryGetValue(ticks, out var saved) ? saved : ticks;

    /// <summary>
    /// The recompute ticks of a plan: its recomputed units' (a save-matmuls segment counts its save-matmuls ticks) and
    /// <see cref="Segment"/> per recompute segment; a kept unit recomputing a sub-module counts that sub-module's ticks
    /// (the profile's <c>sub_modules</c>, <see cref="SubModule"/>) and one <see cref="Segment"/>.
    /// </summary>
    public static long OfPlan(long[] ticks, IReadOnlyList<Segment> segments)
    {
        var saved = SavedOf(ticks);
        long t = 0;
        foreach (var seg in segments)
            if (seg.RecomputeOnly is { } only)
                t += Segment(ticks) + SubModule(ticks, seg.First, only);
            else if (seg.Strategy == SegmentStrategy.Recompute)
            {
                t += Segment(ticks);
                if (seg.SavesMatmuls) t += saved[seg.First];
                else foreach (int i in NestedSegments.Recomputed(seg)) t += ticks[i];
            }
        return t;
    }

    private static double UnscaledSegmentSeconds(Profile profile) =>
        (profile.StepTime?.RecomputeSegmentSeconds ?? 0) / StepCostModel.TimeScale(profile);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<long[], long[]> Saved = new();

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<long[], (string Path, long Ticks)[][]> Subs = new();
}
