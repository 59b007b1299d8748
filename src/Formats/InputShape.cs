using System.Globalization;

namespace AutoCkpt.Formats;

/// <summary>
/// The shape of the input tensor a profile was measured at (batch first, e.g. 64×128 for 64 sequences of 128 tokens),
/// written <c>64x128</c> in profiles and plans (key <c>input_shape</c>, optional: older files have none).
/// </summary>
public static class InputShape
{
    /// <summary>The most dimensions an input shape may have in a file.</summary>
    public const int MaxRank = 16;

    /// <summary>"64x128".</summary>
    public static string Format(IReadOnlyList<long> shape) => string.Join('x', shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));

    /// <summary>"[64, 128]", for messages.</summary>
    public static string Show(IReadOnlyList<long> shape) => "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    /// <summary>
    /// Parses "64x128": 1 to <see cref="MaxRank"/> dimensions, each from 0 to <see cref="int.MaxValue"/>. Null when the
    /// text is not such a shape (the caller reports it with its file's code).
    /// </summary>
    public static IReadOnlyList<long>? TryParse(string text)
    {
        var parts = text.Split('x');
        if (text.Length == 0 || parts.Length > MaxRank) return null;
        var dims = new List<long>(parts.Length);
        foreach (var p in parts)
        {
            if (p.Length is 0 or > 10 || !p.All(char.IsAsciiDigit) || !long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out long d) || d > int.MaxValue)
                return null;
            dims.Add(d);
        }
        return dims;
    }

    /// <summary>
    /// Whether an input of <paramref name="actual"/> may need more memory than one of <paramref name="measured"/>: another
    /// number of dimensions, or any dimension larger. Never when <paramref name="measured"/> is empty (not recorded).
    /// </summary>
    public static bool Exceeds(IReadOnlyList<long> actual, IReadOnlyList<long> measured) =>
        measured.Count > 0 && (actual.Count != measured.Count || actual.Where((d, i) => d > measured[i]).Any());
}
