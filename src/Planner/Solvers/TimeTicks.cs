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
        long[] ticks = [.. profile.Stages.Select(s => (long)Math.Round(s.ForwardSeconds / tick))];
        // Save-matmuls recompute times travel with the array, so that every caller's OfPlan counts them.
        if (profile.Stages.Any(s => s.SaveMatmuls is not null))
            Saved.AddOrUpdate(ticks, [.. profile.Stages.Select((s, i) => s.SaveMatmuls is { } m ? (long)Math.Round(m.RecomputeSeconds / tick) : ticks[i])]);
        return ticks;
    }

    /// <summary>Per unit, the save-matmuls recompute ticks that go with <paramref name="ticks"/> (made by <see cref="Of"/>); the ticks themselves where none.</summary>
    public static long[] SavedOf(long[] ticks) => Saved.TryGetValue(ticks, out var saved) ? saved : ticks;

    /// <summary>The recompute ticks of a plan (a save-matmuls segment counts its save-matmuls ticks).</summary>
    public static long OfPlan(long[] ticks, IReadOnlyList<Segment> segments)
    {
        var saved = SavedOf(ticks);
        long t = 0;
        foreach (var seg in segments)
            if (seg.Strategy == SegmentStrategy.Recompute)
                for (int i = seg.First; i <= seg.Last; i++) t += seg.SavesMatmuls ? saved[i] : ticks[i];
        return t;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<long[], long[]> Saved = new();
}
