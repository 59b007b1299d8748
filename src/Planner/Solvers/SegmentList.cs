using AutoCkpt.Formats.Plans;


namespace AutoCkpt.Planner.Solvers;

/// <summary>Helpers on segment lists.</summary>
internal static class SegmentList
{
    /// <summary>
    /// Whether neighbouring segments of <paramref name="strategy"/> are one segment: those that neither recompute nor vary
    /// another (keep), whose runs cost exactly what one segment costs.
    /// </summary>
    public static bool Merges(SegmentStrategy strategy) => !strategy.Recomputes && !strategy.IsVariant;

    /// <summary>Merges neighbouring segments that <see cref="Merges"/>: they cost exactly what one segment costs.</summary>
    public static IReadOnlyList<Segment> MergeKeeps(IReadOnlyList<Segment> segments)
    {
        var merged = new List<Segment>(segments.Count);
        foreach (var s in segments)
        {
            if (merged.Count > 0 && Merges(s.Strategy) && merged[^1].Strategy == s.Strategy)
                merged[^1] = merged[^1] with { Last = s.Last };
            else
                merged.Add(s);
        }
        return merged;
    }
}
