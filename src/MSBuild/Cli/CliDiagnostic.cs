using System.Globalization;
using System.Text.RegularExpressions;

namespace AutoCkpt.MSBuild.Cli;

/// <summary>One "FILE(LINE,COL): error ACKPTnnn: message" line printed by the autockpt command line.</summary>
/// <param name="IsError">True for an error, false for a warning.</param>
/// <param name="Code">The ACKPT code.</param>
/// <param name="File">The file the line names, or null.</param>
/// <param name="Line">1-based line, 0 when none.</param>
/// <param name="Column">1-based column, 0 when none.</param>
/// <param name="Message">The text after the code.</param>
internal sealed record CliDiagnostic(bool IsError, string Code, string? File, int Line, int Column, string Message)
{
    // The form AckptException.ToString() writes, and the canonical form compilers use.
    private static readonly Regex Pattern = new(
        @"^\s*(?:(?<file>.*?)(?:\((?<line>\d+)(?:,(?<col>\d+))?\))?\s*:\s*)?(?<kind>error|warning)\s+(?<code>ACKPT\d{3})\s*:\s*(?<msg>.*?)\s*$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    /// <summary>Parses a line; null when it is not a diagnostic.</summary>
    public static CliDiagnostic? TryParse(string line)
    {
        var m = Pattern.Match(line);
        if (!m.Success) return null;
        string file = m.Groups["file"].Value.Trim();
        return new CliDiagnostic(
            string.Equals(m.Groups["kind"].Value, "error", StringComparison.OrdinalIgnoreCase),
            m.Groups["code"].Value.ToUpperInvariant(),
            file.Length == 0 ? null : file,
            ToInt(m.Groups["line"]),
            ToInt(m.Groups["col"]),
            m.Groups["msg"].Value);
    }

    private static int ToInt(Group g) =>
        g.Success ? int.Parse(g.Value, NumberStyles.None, CultureInfo.InvariantCulture) : 0;
}
