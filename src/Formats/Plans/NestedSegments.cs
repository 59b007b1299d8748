using System.Globalization;
using AutoCkpt.Formats.Errors;

namespace AutoCkpt.Formats.Plans;

/// <summary>
/// Multi-level recompute segments (<see cref="Segment.Inner"/>): their rules, their recompute counts, and the per-unit
/// <c>inner</c> key of a format-2 plan that says them (docs/planner.md, "Multi-level recompute").
/// </summary>
public static class NestedSegments
{
    /// <summary>The deepest nesting a plan file may say (levels below the outer segment).</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// The stages of <paramref name="segment"/> once per recompute that runs them: none for a kept segment; every stage
    /// once for a flat recompute segment (or any strategy that <see cref="SegmentStrategy.Recomputes"/>); for a nested one, every stage once (the outer recompute) and the stages of each
    /// inner recompute segment again, level by level. What a plan's recompute time sums.
    /// </summary>
    public static IEnumerable<int> Recomputed(Segment segment)
    {
        if (!segment.Strategy.Recomputes) yield break;
        for (int i = segment.First; i <= segment.Last; i++) yield return i;
        if (segment.Inner is null) yield break;
        foreach (var inner in segment.Inner)
            foreach (int i in Recomputed(inner))
                yield return i;
    }

    /// <summary>How many times each stage of <paramref name="stages"/> is recomputed under <paramref name="segments"/>.</summary>
    public static int[] RecomputeCounts(IReadOnlyList<Segment> segments, int stages)
    {
        var counts = new int[stages];
        foreach (var s in segments)
            foreach (int i in Recomputed(s))
                if (i >= 0 && i < stages) counts[i]++;
        return counts;
    }

    /// <summary>
    /// Checks a nested segment's rules (ACKPT018): only a recompute segment nests; its inner segments cover it in order,
    /// at least two, all recompute but the last, which is kept and not nested; at most <see cref="MaxDepth"/> levels.
    /// </summary>
    public static void Validate(Segment segment, string? file) => Check(segment, file, 0);

    private static void Check(Segment s, string? file, int depth)
    {
        if (s.Inner is not { } inner) return;
        string where = $"segment {s.First}-{s.Last}";
        if (s.Strategy != SegmentStrategy.Recompute)
            throw Bad($"{where} is kept but has inner segments: only a recompute segment checkpoints inside its recompute.", file);
        if (depth >= MaxDepth)
            throw Bad($"{where} nests deeper than {MaxDepth} levels.", file);
        if (inner.Count < 2)
            throw Bad($"{where} has {inner.Count} inner segment: a nested recompute splits its units in two or more.", file);
        int next = s.First;
        for (int k = 0; k < inner.Count; k++)
        {
            var x = inner[k];
            if (x.First != next || x.Last < x.First || x.Last > s.Last)
                throw Bad($"{where}'s inner segment {x.First}-{x.Last} does not continue at unit {next}: inner segments cover the segment in order.", file);
            bool last = k == inner.Count - 1;
            if (last && (x.Strategy != SegmentStrategy.Keep || x.Inner is not null))
                throw Bad($"{where}'s last inner segment {x.First}-{x.Last} must be kept: it runs with autograd and is backpropagated at once.", file);
            if (!last && x.Strategy != SegmentStrategy.Recompute)
                throw Bad($"{where}'s inner segment {x.First}-{x.Last} is kept but not last: every inner segment but the last is a checkpoint (recompute).", file);
            Check(x, file, depth + 1);
            next = x.Last + 1;
        }
        if (next != s.Last + 1)
            throw Bad($"{where}'s inner segments end at unit {next - 1}, not at its last unit {s.Last}.", file);
    }

    /// <summary><paramref name="segment"/> with every stage index moved by <paramref name="delta"/>, inner segments too.</summary>
    public static Segment Shift(Segment segment, int delta) =>
        new(segment.First + delta, segment.Last + delta, segment.Strategy) { Inner = segment.Inner?.Select(x => Shift(x, delta)).ToList() };

    /// <summary>
    /// Per stage of <paramref name="segment"/>: its <c>inner</c> key, the inner segment numbers from the outer level down
    /// ("0.1": the first inner segment's second inner segment), or null for a segment that does not nest.
    /// </summary>
    public static string?[] InnerKeys(Segment segment)
    {
        var keys = new string?[segment.Length];
        if (segment.Inner is null) return keys;
        Fill(segment, "");
        return keys;

        void Fill(Segment s, string prefix)
        {
            for (int k = 0; k < s.Inner!.Count; k++)
            {
                var x = s.Inner[k];
                string key = prefix + k.ToString(CultureInfo.InvariantCulture);
                if (x.Inner is null)
                    for (int i = x.First; i <= x.Last; i++) keys[i - segment.First] = key;
                else
                    Fill(x, key + ".");
            }
        }
    }

    /// <summary>
    /// Rebuilds a segment's inner segments from its units' <c>inner</c> keys (<see cref="InnerKeys"/>): all null for a
    /// flat segment. ACKPT018 when some units have a key and others not, a key is not numbers joined by dots, or the
    /// segments they say break <see cref="Validate"/>'s rules.
    /// </summary>
    public static Segment FromKeys(Segment segment, IReadOnlyList<string?> keys, string? file)
    {
        if (keys.All(k => k is null)) return segment;
        if (keys.Any(k => k is null))
            throw Bad($"segment {segment.First}-{segment.Last}: some of its units have an 'inner' key and some not; every unit of a nested segment has one.", file);
        var paths = new int[keys.Count][];
        for (int i = 0; i < keys.Count; i++)
        {
            var parts = keys[i]!.Split('.');
            if (parts.Length > MaxDepth + 1)
                throw Bad($"unit {segment.First + i}'s inner key '{keys[i]}' nests deeper than {MaxDepth} levels.", file);
            paths[i] = new int[parts.Length];
            for (int j = 0; j < parts.Length; j++)
                if (!int.TryParse(parts[j], NumberStyles.None, CultureInfo.InvariantCulture, out paths[i][j]) || paths[i][j] > FileLimits.MaxStages)
                    throw Bad($"unit {segment.First + i}'s inner key '{keys[i]}' is not inner segment numbers joined by dots, such as '0.1'.", file);
        }
        var result = segment with { Inner = Build(segment.First, paths, 0, file) };
        Validate(result, file);
        return result;
    }

    /// <summary>The inner segments at <paramref name="level"/> of units <paramref name="first"/>.. (paths per unit).</summary>
    private static List<Segment> Build(int first, int[][] paths, int level, string? file)
    {
        var inner = new List<Segment>();
        int i = 0;
        while (i < paths.Length)
        {
            int number = paths[i][level];
            if (number != inner.Count)
                throw Bad($"unit {first + i}'s inner key says inner segment {number} at level {level + 1}, but inner segments are numbered 0, 1, 2, … in unit order: expected {inner.Count}.", file);
            int j = i;
            while (j + 1 < paths.Length && paths[j + 1][level] == number) j++;
            var members = paths[i..(j + 1)];
            bool deeper = members[0].Length > level + 1;
            if (members.Any(p => p.Length > level + 1 != deeper))
                throw Bad($"units {first + i}-{first + j} form inner segment {number} at level {level + 1}, but only some of their keys go deeper: an inner segment is flat or nested for all its units.", file);
            var x = new Segment(first + i, first + j, SegmentStrategy.Recompute);
            if (deeper) x = x with { Inner = Build(first + i, members, level + 1, file) };
            inner.Add(x);
            i = j + 1;
        }
        // The last inner segment is the kept one (the rules say so; Validate checks it is not nested).
        if (inner.Count > 0) inner[^1] = inner[^1] with { Strategy = SegmentStrategy.Keep };
        return inner;
    }

    private static AckptException Bad(string message, string? file) => new(ErrorCodes.PlanBadNesting, message, file);
}
