using AutoCkpt.Formats.Plans;

namespace AutoCkpt.Planner.Strategies.Nested;

/// <summary>
/// The multi-level schedules the planner offers for a recompute segment of <c>l</c> ≥ 2 units (docs/planner.md,
/// "Multi-level recompute"). The plan space, shared by <see cref="NestedStrategy"/>'s arcs and the exhaustive oracle;
/// their costs are computed apart (the arcs in closed form, the oracle by the cost model's walk).
/// <list type="bullet">
/// <item>Variant 0, <b>sequential</b>: the recompute checkpoints units first..last−1 as one inner segment, itself
/// sequential, and keeps the last unit: the least memory (the segment's input, one checkpoint and one unit's work at a
/// time) for (l + 1)·l/2 unit recomputes, Rotor's schedule at one memory slot.</item>
/// <item>Variant k ≥ 1, <b>uniform</b>: inner recompute segments of k units from the first unit, the rest (1..k units)
/// kept; k = 1 and k = ⌈√l⌉, for 3 ≤ l ≤ <see cref="UniformMaxLength"/>: each unit recomputed once more at most.</item>
/// </list>
/// </summary>
public static class NestedSchedules
{
    /// <summary>The sequential schedule's variant number.</summary>
    public const int Sequential = 0;

    /// <summary>The longest segment offered uniform schedules (their closed form costs O(l) per arc).</summary>
    public const int UniformMaxLength = 64;

    /// <summary>The variants offered for a segment of <paramref name="length"/> units, cheapest recompute last.</summary>
    public static IReadOnlyList<int> Variants(int length)
    {
        if (length < 2) return [];
        var list = new List<int> { Sequential };
        if (length >= 3 && length <= UniformMaxLength)
        {
            list.Add(1);
            int root = (int)Math.Ceiling(Math.Sqrt(length));
            if (root > 1 && root < length) list.Add(root);
        }
        return list;
    }

    /// <summary>The nested segment <paramref name="first"/>..<paramref name="last"/> run as <paramref name="variant"/>.</summary>
    public static Segment Of(int first, int last, int variant) =>
        new(first, last, SegmentStrategy.Recompute) { Inner = Inner(first, last, variant) };

    private static List<Segment> Inner(int first, int last, int variant)
    {
        if (variant == Sequential)
        {
            var checkpointed = last - 1 > first ? Of(first, last - 1, Sequential) : new Segment(first, first, SegmentStrategy.Recompute);
            return [checkpointed, new Segment(last, last, SegmentStrategy.Keep)];
        }
        int k = variant, length = last - first + 1, pieces = (length + k - 1) / k - 1;
        var inner = new List<Segment>(pieces + 1);
        for (int j = 0; j < pieces; j++) inner.Add(new Segment(first + j * k, first + j * k + k - 1, SegmentStrategy.Recompute));
        inner.Add(new Segment(first + pieces * k, last, SegmentStrategy.Keep));
        return inner;
    }
}
