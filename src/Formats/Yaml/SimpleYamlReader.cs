using YamlDotNet.RepresentationModel;

namespace AutoCkpt.Formats.Yaml;

/// <summary>
/// A fast reader for the one-line-per-key YAML that <see cref="YamlText"/> writes: top-level <c>key: value</c> lines,
/// one-line flow mappings of single values, and a block list (indented two spaces) of mappings whose values are single
/// values or one-line flow mappings. YamlDotNet reads about 6 MB/s, so a 10,000-unit profile (2.8 MB) took 0.5–1 s;
/// this reads it in a few tens of milliseconds. It gives up (null) on anything outside that subset: quotes with escapes,
/// comments after a value, tabs, CR, anchors, tags, block scalars, other indents, duplicate keys or empty values.
/// Whoever calls it then reads the text with <see cref="YamlMap.Parse"/>, which reports any error with its line and
/// column; so does a caller whose checks fail on this reader's nodes, which carry no place.
/// </summary>
internal static class SimpleYamlReader
{
    /// <summary>The root mapping, or null when the text is not in the subset (then parse it in full).</summary>
    public static YamlMappingNode? TryParse(string text)
    {
        if (text.Length > FileLimits.MaxFileBytes || text.Contains('\r') || text.Contains('\t') || text.StartsWith('\ufeff')) return null;
        var root = new YamlMappingNode();
        YamlSequenceNode? list = null; // the block list being read, under the last top-level key
        YamlMappingNode? item = null;  // its current entry
        int nodes = 0;
        int start = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            if (end < 0) end = text.Length;
            var line = text.AsSpan(start, end - start);
            start = end + 1;
            var trimmed = line.TrimStart(' ');
            if (trimmed.IsEmpty || trimmed[0] == '#') continue;
            if (line.Contains('#')) return null;
            int indent = line.Length - trimmed.Length;
            if (indent == 0)
            {
                list = null;
                item = null;
                if (!TryKey(line, out var key, out var rest)) return null;
                if (rest.IsEmpty)
                {
                    list = new YamlSequenceNode();
                    if (!TryAdd(root, key, list)) return null;
                    nodes++;
                    continue;
                }
                if (Value(rest, ref nodes) is not { } value || !TryAdd(root, key, value)) return null;
            }
            else if (indent == 2 && list is not null && trimmed.StartsWith("- "))
            {
                item = new YamlMappingNode();
                list.Add(item);
                nodes++;
                if (!TryKey(trimmed[2..], out var key, out var rest) || Value(rest, ref nodes) is not { } value || !TryAdd(item, key, value)) return null;
            }
            else if (indent == 4 && item is not null)
            {
                if (!TryKey(trimmed, out var key, out var rest) || Value(rest, ref nodes) is not { } value || !TryAdd(item, key, value)) return null;
            }
            else return null;
            if (nodes > FileLimits.MaxEvents / 2) return null; // near the full parser's bound: let it decide
        }
        // A key with nothing after it and no list below it is YAML's null: the full parser reads it.
        foreach (var child in root.Children.Values)
            if (child is YamlSequenceNode { Children.Count: 0 }) return null;
        return root.Children.Count == 0 ? null : root;
    }

    private static bool TryAdd(YamlMappingNode map, string key, YamlNode value)
    {
        var k = new YamlScalarNode(key);
        if (map.Children.ContainsKey(k)) return false;
        map.Add(k, value);
        return true;
    }

    /// <summary>"key: rest" or "key:" (rest empty), with key a plain word.</summary>
    private static bool TryKey(ReadOnlySpan<char> line, out string key, out ReadOnlySpan<char> rest)
    {
        key = "";
        rest = default;
        int colon = line.IndexOf(':');
        if (colon <= 0 || !IsKey(line[..colon])) return false;
        if (colon == line.Length - 1) { key = line[..colon].ToString(); return true; }
        if (line[colon + 1] != ' ') return false;
        rest = line[(colon + 2)..];
        if (rest.IsEmpty || rest[0] == ' ' || rest[^1] == ' ') return false;
        key = line[..colon].ToString();
        return true;
    }

    private static YamlNode? Value(ReadOnlySpan<char> text, ref int nodes)
    {
        nodes += 2;
        if (text.IsEmpty) return null;
        if (text[0] != '{') return Scalar(text);
        // "{ k: v, k: v }": single values only.
        if (text.Length < 4 || !text.StartsWith("{ ") || !text.EndsWith(" }")) return null;
        var map = new YamlMappingNode();
        var body = text[2..^2];
        while (true)
        {
            int colon = body.IndexOf(": ");
            if (colon <= 0 || !IsKey(body[..colon])) return null;
            var key = body[..colon].ToString();
            body = body[(colon + 2)..];
            int stop;
            if (!body.IsEmpty && body[0] == '"')
            {
                int close = body[1..].IndexOf('"');
                if (close < 0) return null;
                stop = close + 2;
            }
            else
            {
                stop = body.IndexOf(',');
                if (stop < 0) stop = body.Length;
            }
            if (Scalar(body[..stop]) is not { } value || !TryAdd(map, key, value)) return null;
            nodes += 2;
            body = body[stop..];
            if (body.IsEmpty) return map;
            if (!body.StartsWith(", ")) return null;
            body = body[2..];
        }
    }

    /// <summary>A double-quoted string without escapes, or a plain number or word; else null.</summary>
    private static YamlScalarNode? Scalar(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return null;
        if (text[0] == '"')
        {
            if (text.Length < 2 || text[^1] != '"') return null;
            var inner = text[1..^1];
            foreach (char c in inner)
                if (c is '"' or '\\' || c < 0x20 || c is >= '\u007f' and <= '\u009f' || char.IsSurrogate(c) || c is '\u2028' or '\u2029' or '\ufeff' or '\ufffe' or '\uffff')
                    return null;
            return new YamlScalarNode(inner.ToString()) { Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted };
        }
        // Plain: letters, digits and _ . + - /, not a lone "-" (a list) and not YAML's null words (left to the full parser).
        foreach (char c in text)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '+' or '-' or '/')) return null;
        if (text is "-" or "~" || text.StartsWith("--") || text.Equals("null", StringComparison.OrdinalIgnoreCase)) return null;
        return new YamlScalarNode(text.ToString()) { Style = YamlDotNet.Core.ScalarStyle.Plain };
    }

    private static bool IsKey(ReadOnlySpan<char> key)
    {
        if (!(char.IsAsciiLetter(key[0]) || key[0] == '_')) return false;
        foreach (char c in key)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        return true;
    }
}
