using System.CommandLine;
using AutoCkpt.Formats.Options;

namespace AutoCkpt.Cli.Commands;

/// <summary>
/// <c>--units</c>, which <c>profile</c> and <c>bench</c> share: module path patterns naming the model's units, as
/// <c>CheckpointOptions.Units</c> does in code and <c>AutoCkptUnits</c> in a build. Checked here (ACKPT100 naming the
/// option) before anything is built; the profiler's host finds the modules (ACKPT101 for a pattern that matches none).
/// </summary>
internal static class UnitOptions
{
    /// <summary>The option name, also named in errors.</summary>
    public const string Name = "--units";

    /// <summary><c>--units PATTERNS</c>, repeatable, each ',' or ';' separated.</summary>
    public static Option<string[]> Create() => new(Name)
    {
        Description = "Module path patterns naming the model's units (',' or ';' separated, '*' a wildcard, repeatable), e.g. \"layers.*\" or \"blocks.*.attn\": " +
                      "the outermost modules whose paths match. [default: the target's ICheckpointTarget.Units, else the units found from the model's structure]",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>
    /// The patterns as one ',' separated list for the host, or null when none were given. Throws ACKPT100 naming
    /// <c>--units</c> for a bad pattern.
    /// </summary>
    public static string? Text(IReadOnlyList<string>? given)
    {
        if (given is not { Count: > 0 }) return null;
        var parsed = NoTidyPatterns.ParseUnits(given, null, Name);
        return parsed.ToString();
    }
}
