using AutoCkpt.Formats.Plans;


namespace AutoCkpt.Planner.Solvers;

/// <summary>Helpers on segment lists.</summary>
internal static class SegmentList
{
    /// <summary>Merges neighbouring keep segments: they cost exactly what one keep segment costs.</summary>
    public static IReadOnlyList<Segment> MergeKeeps(IReadOnlyList<Segment> segments)
    {
        var merged = new List<Segment>(segments.Count);
        foreach (var s in segments)
        {
            if (merged.Count > 0 && s.Strategy == SegmentStrategy.Keep && merged[^1].Strategy == SegmentStrategy.Keep
                && s.RecomputeOnly is null && merged[^1].RecomputeOnly is null)
                merged[^1] = merged[^1] with { Last = s.Last };
            else
                merged.Add(s);
        }
        return merged;
    }
}
