using System.Text.RegularExpressions;
using AutoCkpt.Formats.Errors;

namespace AutoCkpt.Formats.Options;

/// <summary>
/// Module path patterns that opt units out of tidy (docs/runtime.md, "Tidy"): a list separated by ',' or ';', each a
/// module path such as <c>blocks.3</c> or <c>head</c>, where <c>*</c> stands for any run of characters (<c>blocks.*</c>,
/// <c>*</c> for the whole model). A pattern matches a unit whose path it matches whole, and every unit under a module
/// whose path it matches (<c>blocks</c> matches <c>blocks.0</c>). The same syntax serves the code option
/// (<c>CheckpointOptions.NoTidy</c>), <c>autockpt plan --no-tidy</c> and the MSBuild property <c>AutoCkptNoTidy</c>.
/// </summary>
public sealed class NoTidyPatterns
{
    private readonly (string Text, Regex Regex)[] _patterns;

    private NoTidyPatterns((string, Regex)[] patterns) => _patterns = patterns;

    /// <summary>No pattern: every unit may be tidy.</summary>
    public static NoTidyPatterns Empty { get; } = new([]);

    /// <summary>The patterns as given.</summary>
    public IReadOnlyList<string> Texts => [.. _patterns.Select(p => p.Text)];

    /// <summary>True when there is no pattern.</summary>
    public bool IsEmpty => _patterns.Length == 0;

    /// <summary>
    /// Parses <paramref name="patterns"/> (each may itself hold several separated by ',' or ';'). Throws
    /// <see cref="AckptException"/> ACKPT015 for an empty pattern or one with a character a module path cannot hold.
    /// </summary>
    public static NoTidyPatterns Parse(IEnumerable<string>? patterns, string? file = null) =>
        Parse(patterns, file, "no-tidy", ErrorCodes.BadNoTidyPattern);

    /// <summary>
    /// Parses module path patterns of another kind with this syntax (the runtime's unit patterns, say): errors name
    /// them "<paramref name="kind"/> pattern" and carry <paramref name="code"/>.
    /// </summary>
    public static NoTidyPatterns Parse(IEnumerable<string>? patterns, string? file, string kind, string code)
    {
        var list = new List<(string, Regex)>();
        foreach (var raw in patterns ?? [])
        {
            if (string.IsNullOrWhiteSpace(raw))
                throw new AckptException(code, $"a {kind} pattern is empty: give module paths such as 'blocks.3' or 'blocks.*'.", file);
            foreach (var part in raw.Split([',', ';'], StringSplitOptions.TrimEntries))
            {
                if (part.Length == 0)
                    throw new AckptException(code, $"{kind} patterns '{raw}' hold an empty pattern: give module paths such as 'blocks.3' or 'blocks.*'.", file);
                if (part.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '\'' or '?' or '[' or ']'))
                    throw new AckptException(code, $"{kind} pattern '{part}' has a character a module path cannot hold: use letters, digits, '_', '.' and '*'.", file);
                string body = string.Join(".*", part.Split('*').Select(Regex.Escape));
                list.Add((part, new Regex($"^{body}(\\..*)?$", RegexOptions.CultureInvariant)));
            }
        }
        return new([.. list]);
    }

    /// <summary>
    /// Parses unit patterns (<c>CheckpointOptions.Units</c>, <c>--units</c>, <c>AutoCkptUnits</c>,
    /// <c>ICheckpointTarget.Units</c>): ACKPT100 for a bad one, its message beginning with <paramref name="origin"/>
    /// (the option or property the patterns came from) when one is given.
    /// </summary>
    public static NoTidyPatterns ParseUnits(IEnumerable<string>? patterns, string? file = null, string? origin = null)
    {
        try
        {
            return Parse(patterns, file, "unit", ErrorCodes.BadUnitPattern);
        }
        catch (AckptException e) when (origin is not null)
        {
            throw new AckptException(e.Code, $"{origin}: {e.Message}", e.File, e);
        }
    }

    /// <summary>Whether <paramref name="path"/> (a unit's module path) is opted out by some pattern.</summary>
    public bool Matches(string path) => _patterns.Any(p => p.Regex.IsMatch(path));

    /// <summary>The patterns that match none of <paramref name="paths"/>.</summary>
    public IReadOnlyList<string> Unused(IEnumerable<string> paths)
    {
        var all = paths.ToList();
        return [.. _patterns.Where(p => !all.Any(p.Regex.IsMatch)).Select(p => p.Text)];
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(',', _patterns.Select(p => p.Text));
}
