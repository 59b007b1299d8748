using System.Text.Json;
using System.Text.Json.Serialization;

namespace AutoCkpt.Profiler.Host;

/// <summary>
/// One structured line from the host process (AutoCkpt.Profiler.dll) to the command line tool, on the host's
/// standard output: <see cref="Prefix"/> followed by JSON. Every other line is the user's code printing and is
/// relayed as it is. This file is compiled into both the host and the tool (no shared assembly is needed).
/// </summary>
/// <param name="Kind">"progress", "warning", "error" or "result".</param>
internal sealed record HostMessage(string Kind)
{
    /// <summary>Marks a structured line.</summary>
    public const string Prefix = "@@autockpt ";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>An ACKPT code, for warnings and errors.</summary>
    public string? Code { get; init; }
    /// <summary>The text of a warning or error.</summary>
    public string? Message { get; init; }
    /// <summary>The file a warning or error concerns, or the file a result wrote.</summary>
    public string? File { get; init; }
    /// <summary>The progress phase, e.g. "warm-up", "stage", "check".</summary>
    public string? Phase { get; init; }
    /// <summary>The zero-based item within the phase.</summary>
    public int? Index { get; init; }
    /// <summary>The number of items in the phase.</summary>
    public int? Count { get; init; }
    /// <summary>A name for the item, e.g. the stage's name.</summary>
    public string? Item { get; init; }
    /// <summary>For a result: how long the measuring took, in seconds, from the warm-up step to the end.</summary>
    public double? Seconds { get; init; }

    /// <summary>The line to write.</summary>
    public string ToLine() => Prefix + JsonSerializer.Serialize(this, Json);

    /// <summary>Parses a structured line; false for any other line.</summary>
    public static bool TryParse(string line, out HostMessage message)
    {
        message = null!;
        if (!line.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        try
        {
            message = JsonSerializer.Deserialize<HostMessage>(line.AsSpan(Prefix.Length), Json)!;
            return message is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>Exit codes of the host process.</summary>
internal static class HostExitCodes
{
    /// <summary>The verb finished.</summary>
    public const int Ok = 0;
    /// <summary>An AutoCkpt error, reported as an "error" message.</summary>
    public const int Error = 1;
    /// <summary>The host was started with arguments it does not understand.</summary>
    public const int Usage = 2;
    /// <summary>An unexpected exception, reported as an "error" message with its stack trace on standard error.</summary>
    public const int Crash = 3;
}
