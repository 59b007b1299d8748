using System.Globalization;

namespace AutoCkpt.Fuzz.Mutation;

/// <summary>
/// Hostile values for one scalar: a YAML value, a command-line option's argument or an MSBuild property. Each draw
/// is one of a few classes (extreme numbers, units, odd characters, empty or huge), so that CLI-option and MSBuild
/// fuzzers can reuse them: <c>ValueMutations.Any(rng, "50%")</c>.
/// </summary>
public static class ValueMutations
{
    /// <summary>Numbers at and past the edges of long, double and AutoCkpt's bounds, written as YAML or options would.</summary>
    public static readonly string[] ExtremeNumbers =
    [
        "0", "-0", "-1", "1", "0.5", "1.5", "-1e-300",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "18446744073709551616", "99999999999999999999999999999", "4611686018427387904", "281474976710656", "281474976710657",
        "1125899906842624", "2147483647", "2147483648", "4294967296", "10001",
        "1e308", "1.8e308", "1e400", "-1e400", "5e-324", "4.9e-324", "1e-320", "2.2250738585072014e-308", "1e-13", "1e-12", "1e6", "1000001", "1e12", "1e13",
        "NaN", "nan", ".nan", "Infinity", "-Infinity", ".inf", "-.inf", "inf",
        "0x10", "0o17", "1_000", "1,000", "١٢٣", "+5", " 5 ", "5 ", "1e", "e5", "--1", "0.0000000000000000000000001",
    ];

    /// <summary>Sizes and percentages, for memory caps and headrooms.</summary>
    public static readonly string[] Sizes =
    [
        "50%", "0%", "100%", "101%", "-5%", "1e308%", "1e-320%", "5e-324%", "NaN%", "%", "20 MiB", "20MiB", "20 mib", "1 EB", "1 EiB",
        "9999999999 TiB", "1e30 GB", "0.0001 B", "1 b", "1KB ", " 1 KB", "1 K", "1.5.5 MB", "1e3KB", "MiB",
    ];

    /// <summary>Strings that break parsers, markup (Spectre.Console's [..]), SVG/XML, shells and terminals.</summary>
    public static readonly string[] OddStrings =
    [
        "", " ", "\t", "[bold]", "[/]", "[red]x[/]", "[[", "]]", "{", "}", "[", "<script>&amp;</script>", "a\"b", "a'b", "a\\b",
        "line1\nline2", "cr\rhere", "nul\0byte", "\u001b[31mred", "bell\u0007", "del\u007f", "nel\u0085", "ls\u2028ps\u2029",
        "bom\ufeff", "\ufffe\uffff", "emoji 😀", "ñ, ü, 中文, עברית", "\u202eevil", "# not a comment", "&anchor", "*alias", "!!tag",
        "key: value", "- item", "---", "...", "%YAML 1.2", "?", ":", "|", ">", "@", "`", "null", "~", "true", "NULL", "0", "-",
        new string('x', 10_000), "😀😀😀", "\ud800", "\udc00x",
    ];

    /// <summary>One hostile value, related to <paramref name="original"/> or not.</summary>
    public static string Any(Random rng, string original = "") => rng.Next(6) switch
    {
        0 => Pick(rng, ExtremeNumbers),
        1 => Pick(rng, Sizes),
        2 => Pick(rng, OddStrings),
        3 => original + Pick(rng, OddStrings),
        4 => original.Length == 0 ? "" : original[..rng.Next(original.Length)],
        _ => (rng.NextDouble() * Math.Pow(10, rng.Next(-330, 330))).ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>A uniformly chosen element.</summary>
    public static T Pick<T>(Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];
}
