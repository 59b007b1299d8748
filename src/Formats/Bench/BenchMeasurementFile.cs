using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;

namespace AutoCkpt.Formats.Bench;

/// <summary>
/// Carries bench measurements from the process that runs the user's model to the tool that reports them (JSON),
/// and writes segments as text ("0-3:recompute 4-9:keep") for command lines and reports.
/// </summary>
public static class BenchMeasurementFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = false,
        // A gradient difference is +∞ where a gradient holds a NaN or an infinity (docs/reliability.md).
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes <paramref name="measurement"/> atomically to <paramref name="path"/> (ACKPT029 when it cannot).</summary>
    public static void Write(string path, BenchMeasurement measurement) =>
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(measurement, Json));

    /// <summary>The largest measurement file read, in bytes: memory traces of long runs, far above what a bench writes.</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    /// <summary>
    /// Reads a measurement file; throws <see cref="AckptException"/> ACKPT081 when it is missing, unreadable, not a
    /// regular file, larger than <see cref="MaxFileBytes"/> or not a measurement.
    /// </summary>
    public static BenchMeasurement Read(string path)
    {
        try
        {
            if (!File.Exists(path) && !Directory.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist.");
            return JsonSerializer.Deserialize<BenchMeasurement>(InputFile.ReadText(path, ErrorCodes.BenchFailed, "bench measurement", MaxFileBytes), Json)
                ?? throw new JsonException("empty");
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new AckptException(ErrorCodes.BenchFailed, $"cannot read the bench's measurements: {e.Message}", path, e);
        }
    }

    /// <summary>
    /// Segments as "0-3:recompute 4-9:keep"; with <paramref name="tidy"/>, kept runs of tidy stages as "4-9:tidy" (a
    /// keep segment split where its stages' tidy flags change: kept runs cost what one-stage keep segments cost). A
    /// multi-level segment carries its inner segments in brackets, comma-separated, nested as deep as they go:
    /// "0-3:recompute[0-2:recompute[0-1:recompute,2-2:keep],3-3:keep]" (<see cref="Segment.Inner"/>).
    /// </summary>
    public static string FormatSegments(IReadOnlyList<Segment> segments, IReadOnlyList<bool>? tidy = null) =>
        string.Join(' ', SplitTidy(segments, tidy).Select(s => !s.Tidy ? s.Segment.ToString()
            : s.Segment.Strategy == SegmentStrategy.Keep ? string.Create(CultureInfo.InvariantCulture, $"{s.Segment.First}-{s.Segment.Last}:tidy")
            : $"{s.Segment}:tidy")); // a tidy variant of keep, "5-5:sub_module=attn:tidy"

    private static IEnumerable<(Segment Segment, bool Tidy)> SplitTidy(IReadOnlyList<Segment> segments, IReadOnlyList<bool>? tidy)
    {
        bool Flag(int i) => tidy is not null && i < tidy.Count && tidy[i];
        foreach (var s in segments)
        {
            if (s.Strategy != SegmentStrategy.Keep) { yield return (s, s.Strategy.Base == SegmentStrategy.Keep && Flag(s.First)); continue; }
            int start = s.First;
            for (int i = s.First + 1; i <= s.Last + 1; i++)
                if (i > s.Last || Flag(i) != Flag(start))
                {
                    yield return (new Segment(start, i - 1, SegmentStrategy.Keep), Flag(start));
                    start = i;
                }
        }
    }

    /// <summary>Parses <see cref="FormatSegments"/>'s text with its tidy runs: the segments (tidy runs as keep) and the per-stage tidy flags.</summary>
    public static (IReadOnlyList<Segment> Segments, IReadOnlyList<bool> Tidy) ParseTidySegments(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var segments = ParseSegments(string.Join(' ', parts.Select(p => !p.EndsWith(":tidy", StringComparison.Ordinal) ? p : p.Count(c => c == ':') > 1 ? p[..^5] : p[..^5] + ":keep")));
        int stages = segments.Count == 0 ? 0 : Math.Max(0, segments.Max(s => s.Last) + 1);
        var tidy = new bool[stages];
        for (int k = 0; k < parts.Length; k++)
            if (parts[k].EndsWith(":tidy", StringComparison.Ordinal))
                for (int i = Math.Max(0, segments[k].First); i <= segments[k].Last; i++) tidy[i] = true;
        return (segments, tidy.Any(t => t) ? tidy : []);
    }

    /// <summary>Parses <see cref="FormatSegments"/>'s text; throws <see cref="AckptException"/> ACKPT080 on bad text.</summary>
    public static IReadOnlyList<Segment> ParseSegments(string text)
    {
        var segments = new List<Segment>();
        foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            segments.Add(ParseSegment(part, 0));
        return segments;
    }

    /// <summary>One segment, "F-L:strategy" or a multi-level one "F-L:recompute[inner,inner,…]" (ACKPT080, ACKPT018).</summary>
    private static Segment ParseSegment(string part, int depth)
    {
        int open = part.IndexOf('[', StringComparison.Ordinal);
        if (open >= 0)
        {
            if (!part.EndsWith(']') || depth >= NestedSegments.MaxDepth)
                throw new AckptException(ErrorCodes.BadArgument, $"bad segment '{part}': write FIRST-LAST:recompute[INNER,INNER,…] for a multi-level one.");
            var outer = ParseSegment(part[..open], depth);
            var inner = SplitTopLevel(part[(open + 1)..^1]).Select(p => ParseSegment(p, depth + 1)).ToList();
            var nested = outer with { Inner = inner };
            NestedSegments.Validate(nested, null);
            return nested;
        }
        var colon = part.Split(':');
        var range = colon[0].Split('-');
        var named = colon.Length == 2 ? colon[1].Split('=', 2) : [];
        if (colon.Length != 2 || range.Length != 2
            || !int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
            || !int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out int last)
            || SegmentStrategy.Named(named[0]) is not { } strategy
            || strategy.TakesOption != named.Length > 1
            || (named.Length > 1 && !SegmentStrategy.IsValidOption(named[1])))
            throw new AckptException(ErrorCodes.BadArgument, $"bad segment '{part}': write FIRST-LAST:keep, FIRST-LAST:tidy, " +
                string.Join(", ", SegmentStrategy.All.Where(s => s != SegmentStrategy.Keep).Select(s => $"{(s.OneUnit ? "N-N" : "FIRST-LAST")}:{s.Name}{(s.TakesOption ? "=OPTION" : "")}")) + ".");
        if (strategy.OneUnit && first != last)
            throw new AckptException(ErrorCodes.BadArgument, $"bad segment '{part}': {strategy.Name} runs one stage, N-N:{strategy.Name}.");
        return new Segment(first, last, strategy) { Option = named.Length > 1 ? named[1] : null };
    }

    /// <summary>Splits "a,b[c,d],e" at the commas outside brackets.</summary>
    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '[') depth++;
            else if (text[i] == ']') depth--;
            else if (text[i] == ',' && depth == 0) { parts.Add(text[start..i]); start = i + 1; }
        }
        parts.Add(text[start..]);
        return parts;
    }

    /// <summary>Strategies as "none=0-9:keep;plan=0-3:recompute 4-9:tidy", for the bench host's command line.</summary>
    public static string FormatStrategies(IEnumerable<BenchStrategy> strategies) =>
        string.Join(';', strategies.Select(s => s.Name + "=" + FormatSegments(s.Segments, s.Tidy)));

    /// <summary>Parses <see cref="FormatStrategies"/>'s text; throws <see cref="AckptException"/> ACKPT080 on bad text.</summary>
    public static IReadOnlyList<BenchStrategy> ParseStrategies(string text) =>
        text.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(part =>
        {
            int eq = part.IndexOf('=');
            if (eq <= 0) throw new AckptException(ErrorCodes.BadArgument, $"bad strategy '{part}': write NAME=SEGMENTS.");
            var (segments, tidy) = ParseTidySegments(part[(eq + 1)..]);
            return new BenchStrategy(part[..eq], segments) { Tidy = tidy };
        }).ToList();
}
