using System.Globalization;
using System.Text.RegularExpressions;

namespace AutoCkpt.MSBuild.Options;

/// <summary>
/// The memory-cap syntax of <c>autockpt plan --memory-cap</c> (AutoCkpt.Formats' MemoryCap.Parse), checked here
/// so that a bad AutoCkptMemoryCap fails at the property with no child process. A test keeps the two in step.
/// </summary>
internal static class CapSyntax
{
    private static readonly Regex Pattern = new(@"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z%]*)\s*$", RegexOptions.CultureInvariant);

    private static readonly Dictionary<string, double> Units = new(StringComparer.OrdinalIgnoreCase)
    {
        [""] = 1, ["B"] = 1,
        ["KB"] = 1e3, ["MB"] = 1e6, ["GB"] = 1e9, ["TB"] = 1e12,
        ["KiB"] = 1024, ["MiB"] = 1024.0 * 1024, ["GiB"] = 1024.0 * 1024 * 1024, ["TiB"] = 1024.0 * 1024 * 1024 * 1024,
    };

    /// <summary>MemoryCap.MaxBytes: 2⁶⁰.</summary>
    private const double MaxBytes = 1L << 60;

    /// <summary>MemoryCap.MaxPercent.</summary>
    private const double MaxPercent = 1e6;

    /// <summary>Null when <paramref name="text"/> is a valid cap, else why not.</summary>
    public static string? Problem(string text) => Problem(text, isHeadroom: false);

    /// <summary>
    /// Null when <paramref name="text"/> is a valid headroom (<c>autockpt plan --headroom</c>, MemoryCap.ParseHeadroom):
    /// the cap's syntax, 0 allowed, a percentage below 100; else why not.
    /// </summary>
    public static string? HeadroomProblem(string text) => Problem(text, isHeadroom: true);

    /// <summary>A headroom may be 0 and, as a percentage, must stay below 100; a cap must be positive.</summary>
    private static string? Problem(string text, bool isHeadroom)
    {
        var m = Pattern.Match(text);
        if (!m.Success)
            return "is not a size: write bytes, a size with a unit (KB, MB, GB, KiB, MiB, GiB) or N%";
        if (!double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value < 0 || double.IsInfinity(value))
            return isHeadroom ? "must not be negative" : "must be a positive number";
        string unit = m.Groups[2].Value;
        if (unit != "%" && !Units.ContainsKey(unit))
            return $"has an unknown unit '{unit}': use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB or %";
        if (value == 0) return isHeadroom ? null : "must be a positive number";
        if (unit == "%")
        {
            if (value > MaxPercent) return "is out of range: at most 1000000%";
            return isHeadroom && value >= 100 ? "must be less than 100% of the cap" : null;
        }
        double bytes = Math.Floor(value * Units[unit]);
        return bytes < 1 || bytes > MaxBytes ? "is out of range: from 1 byte to 1 EiB (2^60 bytes)" : null;
    }
}
