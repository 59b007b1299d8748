using System.Globalization;
using System.Text;

namespace AutoCkpt.Formats.Yaml;

/// <summary>Writes the small, deterministic YAML subset AutoCkpt's files use.</summary>
internal static class YamlText
{
    public static string Str(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    public static string Num(long v) => v.ToString(CultureInfo.InvariantCulture);

    public static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A flow mapping "{ a: 1, b: 2 }" from pre-formatted values.</summary>
    public static string Flow(params (string Key, string Value)[] pairs) =>
        "{ " + string.Join(", ", pairs.Select(p => $"{p.Key}: {p.Value}")) + " }";

    /// <summary>Prefixes each line of a header with "# ".</summary>
    public static string Comment(string? header) =>
        string.IsNullOrWhiteSpace(header)
            ? ""
            : string.Concat(header.TrimEnd().Split('\n').Select(l => ("# " + l.TrimEnd('\r')).TrimEnd() + "\n"));
}
