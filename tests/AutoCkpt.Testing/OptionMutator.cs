using System.Globalization;
using System.Text;

namespace AutoCkpt.Testing;

/// <summary>
/// Malformed values for one command-line option or MSBuild property, made from a valid one: a fixed seed set (empty and
/// whitespace, type changes, extreme numbers, odd characters, units, paths) and seeded random mutations of the valid
/// value (truncation, duplication, a character replaced, inserted or deleted, a unit added, a sign, an exponent).
/// </summary>
public static class OptionMutator
{
    /// <summary>Values that every option is given: none of these is specific to one option.</summary>
    public static readonly IReadOnlyList<string> Seeds =
    [
        "", " ", "\t", "\n", "  \r\n ",
        "abc", "true", "false", "null", "~", "[1, 2]", "{a: 1}", "- x", "'", "\"", "\"\"",
        "0", "-0", "1", "-1", "+1", "00", "0.0", "1.5", "-1.5", "1,5", "1_000", "0x10", "1e3", "1E+3",
        "1e308", "1e309", "-1e309", "1e-300", "5e-324", "1e-400", "NaN", "nan", "Infinity", "-Infinity", "∞",
        "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808", "99999999999999999999999",
        "1e12", "1e15", "1e18", "1e19", "1e30",
        "20 MiB", "20MiB", "20 mib", "20 XB", "20 %", "20%%", "%", "MiB", "-20%", "100%", "99.99999%", "1e400%", "1e30%", "1e-400%", "0%", "0 B",
        "20 MiB extra", "2 0", "٣", "２０", "20\u00a0MiB",
        "[red]", "[/]", "]", "[[", "$(Cap)", "%(x)", "@(y)", "<x>", "&amp;", "ä", "\u202e", "\u0000", "a\u0000b", "😀",
        ".", "..", "/", "/tmp", "/dev/null", "/dev/zero", "no/such/dir/file", new string('a', 300), new string('9', 5000),
        "-", "--", "--help", "-h", "--sweep", "--out", "-x",
    ];

    /// <summary><paramref name="count"/> random mutations of <paramref name="valid"/>, the same for the same seed.</summary>
    public static IEnumerable<string> Mutations(string valid, int count, int seed)
    {
        var rng = new Random(seed);
        for (int i = 0; i < count; i++) yield return Mutate(valid, rng);
    }

    private static readonly string[] Units = ["", " ", "B", "KB", "MiB", " GiB", "TiB", "PiB", "%", "x", "e", "e9", "e-9", "e999"];
    private static readonly char[] Odd = ['[', ']', '%', '$', '"', '\'', ' ', '\t', '-', '+', '.', ',', 'e', 'E', '0', '9', '/', '\\', ':', '#', '\u0000', 'é'];

    private static string Mutate(string valid, Random rng)
    {
        string v = valid.Length == 0 ? "1" : valid;
        switch (rng.Next(10))
        {
            case 0: return v[..rng.Next(v.Length)];
            case 1: return v + v;
            case 2: { var b = new StringBuilder(v); b[rng.Next(b.Length)] = Odd[rng.Next(Odd.Length)]; return b.ToString(); }
            case 3: return v.Insert(rng.Next(v.Length + 1), Odd[rng.Next(Odd.Length)].ToString());
            case 4: return v.Remove(rng.Next(v.Length), 1);
            case 5: return Number(rng) + Units[rng.Next(Units.Length)];
            case 6: return (rng.Next(2) == 0 ? "-" : "+") + v;
            case 7: return v + Units[rng.Next(Units.Length)];
            case 8: return Seeds[rng.Next(Seeds.Count)] + (rng.Next(2) == 0 ? v : "");
            default: return new string(Odd[rng.Next(Odd.Length)], rng.Next(1, 40));
        }
    }

    private static string Number(Random rng) => rng.Next(6) switch
    {
        0 => rng.NextInt64().ToString(CultureInfo.InvariantCulture),
        1 => (-rng.NextInt64()).ToString(CultureInfo.InvariantCulture),
        2 => Math.Pow(10, rng.Next(-330, 330)).ToString("R", CultureInfo.InvariantCulture),
        3 => (rng.NextDouble() * 200 - 100).ToString("R", CultureInfo.InvariantCulture),
        4 => BitConverter.Int64BitsToDouble(rng.NextInt64()).ToString("R", CultureInfo.InvariantCulture),
        _ => rng.Next(-3, 3).ToString(CultureInfo.InvariantCulture),
    };
}
