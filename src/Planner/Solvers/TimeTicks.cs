using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;


namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// Recompute time as whole ticks, so that every solver compares plans exactly and ties (plans whose recompute
/// times are equal) are the same for all of them. A tick is 1 ns, or 10⁻⁸ of the total forward time when that
/// is larger, which keeps a MIP's time row below 10⁸ and exact under solver tolerances.
/// </summary>
internal static class TimeTicks
{
    public static double TickSeconds(Profile profile) =>
        Math.Max(1e-9, profile.Stages.Sum(s => s.ForwardSeconds) / 1e8);

    public static long[] Of(Profile profile)
    {
        double tick = TickSeconds(profile);
        return [.. profile.Stages.Select(s => (long)Math.Round(s.ForwardSeconds / tick))];
    }

    /// <summary>The recompute ticks of a plan.</summary>
    public static long OfPlan(long[] ticks, IReadOnlyList<Segment> segments)
    {
        long t = 0;
        foreach (var seg in segments)
            foreach (int i in NestedSegments.Recomputed(seg)) t += ticks[i];
        return t;
    }
}
