using System.Text;

namespace AutoCkpt.Fuzz.Mutation;

/// <summary>Byte-level mutations: garbage, NULs, invalid UTF-8, other encodings, and files past the size bound.</summary>
public static class BinaryMutations
{
    /// <summary>Every operator, by name.</summary>
    public static readonly IReadOnlyList<(string Name, Func<byte[], Random, byte[]> Apply)> All =
    [
        ("insert-garbage", (b, r) => Insert(b, r, Garbage(r, r.Next(1, 64)))),
        ("all-garbage", (_, r) => Garbage(r, r.Next(1, 4096))),
        ("insert-nul", (b, r) => Insert(b, r, [0])),
        ("invalid-utf8", (b, r) => Insert(b, r, r.Next(3) switch { 0 => [0xC3], 1 => [0xFF, 0xFE], _ => [0xED, 0xA0, 0x80] })),
        ("cut-mid-character", (b, r) => CutInCharacter(b)),
        ("utf16", (b, _) => Encoding.Unicode.GetPreamble().Concat(Encoding.Convert(Encoding.UTF8, Encoding.Unicode, b)).ToArray()),
        ("bom-twice", (b, _) => [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. b]),
        ("flip-bits", (b, r) => { var c = (byte[])b.Clone(); for (int k = 0; k < 8 && c.Length > 0; k++) c[r.Next(c.Length)] ^= (byte)(1 << r.Next(8)); return c; }),
        ("oversize", (b, _) => [.. b, .. Encoding.ASCII.GetBytes("# " + new string('x', 9 * 1024 * 1024) + "\n")]),
    ];

    /// <summary>Random bytes.</summary>
    public static byte[] Garbage(Random rng, int length)
    {
        var g = new byte[length];
        rng.NextBytes(g);
        return g;
    }

    private static byte[] Insert(byte[] b, Random rng, byte[] insert)
    {
        int i = rng.Next(b.Length + 1);
        return [.. b.AsSpan(0, i), .. insert, .. b.AsSpan(i)];
    }

    private static byte[] CutInCharacter(byte[] b)
    {
        int i = Array.FindIndex(b, x => x >= 0xC0);
        return i < 0 ? [.. b, 0xE2, 0x82] : b[..(i + 1)];
    }
}
