using AutoCkpt.Formats;

namespace AutoCkpt.Planner.Solvers;

/// <summary>A partial plan in <see cref="DynamicProgramSolver"/>: its summary numbers and how it was built.</summary>
internal sealed record DpLabel(DpLabel.Key K, long T, DpLabel.Step? Last)
{
    /// <summary>y: bytes held; a: y − releases + highest backward event; f: highest forward event (bytes above F).</summary>
    public readonly record struct Key(long Y, long A, long F);

    /// <summary>The last segment and the partial plan before it.</summary>
    public sealed record Step(DpLabel Parent, int First, int Last, SegmentStrategy Strategy);

    public IReadOnlyList<Segment> Segments()
    {
        var segments = new List<Segment>();
        for (var s = Last; s is not null; s = s.Parent.Last) segments.Add(new Segment(s.First, s.Last, s.Strategy));
        segments.Reverse();
        return SegmentList.MergeKeeps(segments);
    }

    /// <summary>
    /// Drops every label that another one matches or beats in t, y, a and f̂ = max(f, a + <paramref name="lowest"/>),
    /// where <paramref name="lowest"/> is the most the rest of the chain can lower a: a label's final peak is at
    /// least f̂, so beating f̂ is enough. Labels whose f̂ is just a + lowest (the usual case) are compared in (y, a)
    /// through a staircase in O(log m); the others one by one.
    /// </summary>
    public static List<DpLabel> Pareto(IEnumerable<DpLabel> labels, long lowest)
    {
        long FHat(DpLabel x) => Math.Max(x.K.F, x.K.A + lowest);
        var sorted = labels.OrderBy(x => x.T).ThenBy(x => x.K.Y).ThenBy(x => x.K.A).ThenBy(x => FHat(x)).ToList();
        var stairs = new SortedSet<(long Y, long A)>();
        var high = new List<DpLabel>();
        var kept = new List<DpLabel>(sorted.Count);
        foreach (var x in sorted)
        {
            long fx = FHat(x);
            if (StairsDominate(stairs, x.K.Y, x.K.A)) continue;
            if (high.Any(k => k.K.Y <= x.K.Y && k.K.A <= x.K.A && FHat(k) <= fx)) continue;
            kept.Add(x);
            if (fx > x.K.A + lowest) high.Add(x);
            else AddStair(stairs, x.K.Y, x.K.A);
        }
        return kept;
    }

    private static bool StairsDominate(SortedSet<(long Y, long A)> stairs, long y, long a)
    {
        if (stairs.Count == 0 || stairs.Min.Y > y) return false;
        return stairs.GetViewBetween(stairs.Min, (y, long.MaxValue)).Max.A <= a;
    }

    private static void AddStair(SortedSet<(long Y, long A)> stairs, long y, long a)
    {
        // Points with Y ≥ y and A ≥ a are now dominated; the staircase keeps A falling as Y rises.
        if (stairs.Count > 0 && stairs.Max.Y >= y)
        {
            var above = stairs.GetViewBetween((y, long.MinValue), stairs.Max).TakeWhile(s => s.A >= a).ToList();
            foreach (var s in above) stairs.Remove(s);
        }
        stairs.Add((y, a));
    }
}
