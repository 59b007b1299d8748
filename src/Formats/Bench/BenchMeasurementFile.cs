using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AutoCkpt.Formats;

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

    /// <summary>Segments as "0-3:recompute 4-9:keep".</summary>
    public static string FormatSegments(IReadOnlyList<Segment> segments) =>
        string.Join(' ', segments.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.First}-{s.Last}:{s.Strategy.ToString().ToLowerInvariant()}")));

    /// <summary>Parses <see cref="FormatSegments"/>'s text; throws <see cref="AckptException"/> ACKPT080 on bad text.</summary>
    public static IReadOnlyList<Segment> ParseSegments(string text)
    {
        var segments = new List<Segment>();
        foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = part.Split(':');
            var range = colon[0].Split('-');
            if (colon.Length != 2 || range.Length != 2
                || !int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
                || !int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out int last)
                || !Enum.TryParse<SegmentStrategy>(colon[1], ignoreCase: true, out var strategy)
                || !Enum.IsDefined(strategy))
                throw new AckptException(ErrorCodes.BadArgument, $"bad segment '{part}': write FIRST-LAST:keep or FIRST-LAST:recompute.");
            segments.Add(new Segment(first, last, strategy));
        }
        return segments;
    }

    /// <summary>Strategies as "none=0-9:keep;plan=0-3:recompute 4-9:keep", for the bench host's command line.</summary>
    public static string FormatStrategies(IEnumerable<BenchStrategy> strategies) =>
        string.Join(';', strategies.Select(s => s.Name + "=" + FormatSegments(s.Segments)));

    /// <summary>Parses <see cref="FormatStrategies"/>'s text; throws <see cref="AckptException"/> ACKPT080 on bad text.</summary>
    public static IReadOnlyList<BenchStrategy> ParseStrategies(string text) =>
        text.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(part =>
        {
            int eq = part.IndexOf('=');
            if (eq <= 0) throw new AckptException(ErrorCodes.BadArgument, $"bad strategy '{part}': write NAME=SEGMENTS.");
            return new BenchStrategy(part[..eq], ParseSegments(part[(eq + 1)..]));
        }).ToList();
}
