namespace AutoCkpt.MSBuild.Checks;

/// <summary>
/// Reads one <c>parent.key</c> scalar from a profile or plan file, in block form (<c>device:\n  type: cpu</c>) or
/// flow form (<c>device: { type: cpu, name: "x" }</c>). Just enough YAML for the build-time checks, so that the
/// task assembly loads no YAML library; the planner validates the whole file.
/// </summary>
internal static class YamlPeek
{
    /// <summary>The value of <paramref name="parent"/>.<paramref name="key"/>, unquoted; null when absent.</summary>
    public static string? Find(string text, string parent, string key)
    {
        bool inParent = false;
        foreach (string raw in text.Split('\n'))
        {
            string line = StripComment(raw.TrimEnd('\r'));
            if (line.Trim().Length == 0) continue;
            bool topLevel = !char.IsWhiteSpace(line[0]);
            if (topLevel)
            {
                inParent = false;
                if (!TrySplit(line, out string k, out string v) || k != parent) continue;
                if (v.StartsWith('{')) return FromFlow(v, key);
                inParent = v.Length == 0;
            }
            else if (inParent && TrySplit(line.Trim(), out string k, out string v) && k == key)
            {
                return Unquote(v);
            }
        }
        return null;
    }

    /// <summary>The value of the top-level scalar <paramref name="key"/>, unquoted; null when absent or not a scalar.</summary>
    public static string? FindTopLevel(string text, string key)
    {
        foreach (string raw in text.Split('\n'))
        {
            string line = StripComment(raw.TrimEnd('\r'));
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]) && TrySplit(line, out string k, out string v) && k == key)
                return v.Length == 0 || v.StartsWith('{') ? null : Unquote(v);
        }
        return null;
    }

    private static string? FromFlow(string flow, string key)
    {
        string body = flow.Trim().TrimStart('{').TrimEnd('}');
        foreach (string pair in SplitOutsideQuotes(body))
            if (TrySplit(pair.Trim(), out string k, out string v) && k == key)
                return Unquote(v);
        return null;
    }

    private static bool TrySplit(string line, out string key, out string value)
    {
        int colon = line.IndexOf(':');
        key = colon < 0 ? "" : Unquote(line[..colon]);
        value = colon < 0 ? "" : line[(colon + 1)..].Trim();
        return colon > 0;
    }

    private static IEnumerable<string> SplitOutsideQuotes(string s)
    {
        int start = 0;
        char quote = '\0';
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (quote != '\0') { if (c == '\\' && quote == '"') i++; else if (c == quote) quote = '\0'; }
            else if (c is '"' or '\'') quote = c;
            else if (c == ',') { yield return s[start..i]; start = i + 1; }
        }
        yield return s[start..];
    }

    private static string StripComment(string line)
    {
        char quote = '\0';
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quote != '\0') { if (c == quote) quote = '\0'; }
            else if (c is '"' or '\'') quote = c;
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1]))) return line[..i];
        }
        return line;
    }

    private static string Unquote(string s)
    {
        s = s.Trim();
        return s.Length >= 2 && (s[0] == '"' || s[0] == '\'') && s[^1] == s[0] ? s[1..^1] : s;
    }
}
