using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AutoCkpt.Formats.Yaml;

/// <summary>Writes the small, deterministic YAML subset AutoCkpt's files use; every string reads back exactly.</summary>
internal static partial class YamlText
{
    /// <summary>
    /// A double-quoted scalar. Escapes what YAML would not keep as it is: quotes, backslashes, C0 and C1 controls,
    /// DEL, the line and paragraph separators, the byte order mark and the non-characters U+FFFE and U+FFFF. A lone
    /// surrogate is not a character and cannot be written as UTF-8: it becomes U+FFFD, as UTF-8 encoders do.
    /// </summary>
    public static string Str(string s)
    {
        var sb = new StringBuilder("\"");
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                        sb.Append(c).Append(s[++i]);
                    else if (char.IsSurrogate(c))
                        sb.Append("\\uFFFD");
                    else if (c < 0x20 || c is >= '\u007f' and <= '\u009f')
                        sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else if (c is '\u2028' or '\u2029' or '\ufeff' or '\ufffe' or '\uffff')
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>
    /// A word as it is when YAML reads it back as the same text (cpu, exact, uniform_3), else <see cref="Str"/>. Keeps
    /// the files' usual look while any value round-trips.
    /// </summary>
    public static string Word(string s) =>
        PlainWord().IsMatch(s) && s is not ("null" or "Null" or "NULL" or "true" or "True" or "TRUE" or "false" or "False" or "FALSE"
            or "yes" or "Yes" or "YES" or "no" or "No" or "NO" or "on" or "On" or "ON" or "off" or "Off" or "OFF" or "y" or "Y" or "n" or "N")
            ? s
            : Str(s);

    public static string Num(long v) => v.ToString(CultureInfo.InvariantCulture);

    public static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A flow mapping "{ a: 1, b: 2 }" from pre-formatted values.</summary>
    public static string Flow(params (string Key, string Value)[] pairs) =>
        "{ " + string.Join(", ", pairs.Select(p => $"{p.Key}: {p.Value}")) + " }";

    /// <summary>
    /// Prefixes each line of a header with "# ". Every YAML line break (CR, LF, NEL, U+2028, U+2029) starts a new
    /// comment line, and characters a YAML comment may not hold become '?', so that no header text becomes YAML.
    /// </summary>
    public static string Comment(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return "";
        var lines = header.Replace("\r\n", "\n").TrimEnd().Split(['\n', '\r', '\u0085', '\u2028', '\u2029']);
        return string.Concat(lines.Select(l => ("# " + Printable(l)).TrimEnd() + "\n"));
    }

    private static string Printable(string line)
    {
        var sb = new StringBuilder(line.Length);
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (char.IsHighSurrogate(c) && i + 1 < line.Length && char.IsLowSurrogate(line[i + 1])) sb.Append(c).Append(line[++i]);
            else if (char.IsSurrogate(c) || (c < 0x20 && c != '\t') || c is >= '\u007f' and <= '\u009f' or '\ufeff' or '\ufffe' or '\uffff') sb.Append('?');
            else sb.Append(c);
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_.\-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex PlainWord();
}
