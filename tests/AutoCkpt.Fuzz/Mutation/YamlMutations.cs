using System.Text;
using System.Text.RegularExpressions;

namespace AutoCkpt.Fuzz.Mutation;

/// <summary>
/// Structure-aware mutations of AutoCkpt's YAML files (and of any YAML): they find the <c>key: value</c> pairs of
/// block and flow mappings and the list items, and change them as a broken merge, a hand edit or an attacker would.
/// Each operator takes the text and a random source and returns the mutated text.
/// </summary>
public static partial class YamlMutations
{
    /// <summary>Values of other YAML types than the key expects: mappings, lists, nulls, block scalars.</summary>
    public static readonly string[] TypeChanges =
    [
        "{ a: 1 }", "{}", "[]", "[1, 2]", "[{ first: 0 }]", "~", "null", "\"\"", "''", "|\n  block\n  text", ">\n  folded", "\n  - a\n  - b", "\n  a: 1\n  b: 2",
        "{ first: 0, last: 1, strategy: keep }", "[[[]]]", "{ ? [1] : 2 }", "{ [1, 2]: x }",
    ];

    /// <summary>Recursive aliases: an anchored collection that contains its own alias.</summary>
    public static readonly string[] RecursiveAliases = ["&r [ *r ]", "&r { k: *r }", "&r [ 1, [ *r ] ]", "&r { ? *r : 1 }", "*undefined"];

    /// <summary>Lines that YAML parsers reject, or treat surprisingly.</summary>
    public static readonly string[] YamlBreakers =
    [
        "%YAML 1.1", "%TAG ! tag:x,2000:", "---", "...", "? complex key", "- list item at the top", "  stray: indent", "\"unterminated", "'unterminated",
        "key: \"unterminated", "key: [1, 2", "key: {a: 1", "key: ]", "key: }", "key: &", "key: *", "key: !", "key: @reserved", "key: `reserved",
        "key: |\n bad", "\t tab", "a: b: c", "[", "{", "]]]]", "}}}}", "&a &b x: 1", "x: &a\ny: *a", "<<: *base",
    ];

    /// <summary>Every operator, by name.</summary>
    public static readonly IReadOnlyList<(string Name, Func<string, Random, string> Apply)> All =
    [
        ("replace-value:number", (t, r) => ReplaceValue(t, r, _ => ValueMutations.Pick(r, ValueMutations.ExtremeNumbers))),
        ("replace-value:odd-quoted", (t, r) => ReplaceValue(t, r, _ => Quote(ValueMutations.Pick(r, ValueMutations.OddStrings)))),
        ("replace-value:odd-raw", (t, r) => ReplaceValue(t, r, _ => ValueMutations.Pick(r, ValueMutations.OddStrings))),
        ("replace-value:type", (t, r) => ReplaceValue(t, r, _ => ValueMutations.Pick(r, TypeChanges))),
        ("replace-value:any", (t, r) => ReplaceValue(t, r, v => ValueMutations.Any(r, v))),
        ("replace-value:deep", (t, r) => ReplaceValue(t, r, _ => Deep(r))),
        ("replace-value:recursive-alias", (t, r) => ReplaceValue(t, r, _ => ValueMutations.Pick(r, RecursiveAliases))),
        ("replace-value:alias-bomb", (t, r) => ReplaceValue(t, r, _ => "*l9") + "\n" + AliasBomb(r.Next(4, 10))),
        ("alias-bomb-key", (t, r) => { int depth = r.Next(7, 11); return t + AliasBomb(depth) + $"? *l{depth - 1}\n: bomb\n"; }),
        ("recursive-alias-key", (t, r) => t + ValueMutations.Pick(r, ["? &r [ *r ]\n: x\n", "? &r { k: *r }\n: x\n", "? &r [ 1, [ *r ] ]\n: x\n"])),
        ("alias-of-scalar", AliasOfScalar),
        ("delete-pair", DeletePair),
        ("duplicate-pair", DuplicatePair),
        ("rename-key", (t, r) => RenameKey(t, r)),
        ("truncate", (t, r) => t[..r.Next(t.Length + 1)]),
        ("delete-line", (t, r) => EditLines(t, r, (lines, i) => lines.RemoveAt(i))),
        ("duplicate-line", (t, r) => EditLines(t, r, (lines, i) => lines.Insert(i, lines[i]))),
        ("swap-lines", (t, r) => EditLines(t, r, (lines, i) => { int j = r.Next(lines.Count); (lines[i], lines[j]) = (lines[j], lines[i]); })),
        ("reindent-line", (t, r) => EditLines(t, r, (lines, i) => lines[i] = r.Next(3) switch { 0 => lines[i].TrimStart(), 1 => "   " + lines[i], _ => "\t" + lines[i] })),
        ("duplicate-stage", (t, r) => EditItems(t, r, (items, i) => items.Insert(i, items[i]))),
        ("delete-stage", (t, r) => EditItems(t, r, (items, i) => items.RemoveAt(i))),
        ("many-stages", (t, r) => EditItems(t, r, (items, i) => items.InsertRange(i, Enumerable.Repeat(items[i], ValueMutations.Pick(r, [100, 9_999, 10_001, 30_000]))))),
        ("deep-document", (t, r) => r.Next(2) == 0 ? Deep(r) + "\n" : "x: " + Deep(r) + "\n" + t),
        ("unclosed-flow", (t, r) => RemoveOne(t, r, '}')),
        ("comment-in-flow", (t, r) => InsertAfterOne(t, r, ',', " # a comment\n")),
        ("lone-colon", (t, r) => EditLines(t, r, (lines, i) => lines.Insert(i, ValueMutations.Pick(r, [":", " :", ": x", "::", "? :"])))),
        ("yaml-breaker", (t, r) => EditLines(t, r, (lines, i) => lines.Insert(i, ValueMutations.Pick(r, YamlBreakers)))),
        ("second-document", (t, r) => t + "---\n" + t),
        ("tag", (t, r) => ReplaceValue(t, r, v => ValueMutations.Pick(r, ["!!binary ", "!!str ", "!!int ", "!custom ", "!!map ", "!!seq "]) + v)),
        // Every value of one key at once: sums that overflow a long, times that are all denormal or huge.
        ("every-bytes", (t, r) => ReplaceEvery(t, ValueMutations.Pick(r, ["retained_bytes", "output_bytes", "backward_transient_bytes", "parameters", "backward_freed_bytes", "peak_bytes"]),
            ValueMutations.Pick(r, ["4611686018427387904", "9223372036854775807", "1152921504606846976", "281474976710656", "-4611686018427387904"]))),
        ("every-seconds", (t, r) => ReplaceEvery(t, ValueMutations.Pick(r, ["forward_seconds", "backward_seconds", "step_seconds", "optimal_step_seconds"]),
            ValueMutations.Pick(r, ["5e-324", "1e-320", "0", "1e308", "1e-300", "1e-13"]))),
    ];

    /// <summary>
    /// A "billion laughs" expansion: <c>l0</c> is a list of 9 strings and each <c>l{k}</c> a list of 9 aliases of the
    /// one before, so <c>*l{depth-1}</c> stands for 9^depth strings.
    /// </summary>
    public static string AliasBomb(int depth)
    {
        var sb = new StringBuilder("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int k = 1; k < depth; k++)
            sb.Append($"l{k}: &l{k} [").Append(string.Join(", ", Enumerable.Repeat($"*l{k - 1}", 9))).Append("]\n");
        return sb.ToString();
    }

    /// <summary>Lists or mappings nested 65 (just past AutoCkpt's bound) to 100,000 deep, in flow or block form.</summary>
    public static string Deep(Random rng)
    {
        int depth = ValueMutations.Pick(rng, [63, 65, 1_000, 10_000, 100_000]);
        return rng.Next(3) switch
        {
            0 => new string('[', depth) + new string(']', depth),
            1 => string.Concat(Enumerable.Repeat("{a: ", depth)) + "1" + new string('}', depth),
            _ => new string('[', depth),
        };
    }

    /// <summary>A double-quoted YAML string holding <paramref name="s"/>, escaped.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in s)
        {
            if (c is '"' or '\\') sb.Append('\\').Append(c);
            else if (c < 0x20 || c is '\u0085' or '\u2028' or '\u2029' or '\u007f') sb.Append($"\\u{(int)c:x4}");
            else sb.Append(c);
        }
        return sb.Append('"').ToString();
    }

    /// <summary>The <c>key: value</c> pairs of the text, block and flow, outside comments.</summary>
    public static IReadOnlyList<Match> Pairs(string text) =>
        [.. PairPattern().Matches(text).Where(m => !InComment(text, m.Index))];

    private static string ReplaceValue(string text, Random rng, Func<string, string> value)
    {
        var pairs = Pairs(text);
        if (pairs.Count == 0) return text + "x: " + value("") + "\n";
        var m = pairs[rng.Next(pairs.Count)];
        var v = m.Groups["value"];
        return text[..v.Index] + value(v.Value) + text[(v.Index + v.Length)..];
    }

    private static string ReplaceEvery(string text, string key, string value)
    {
        var sb = new StringBuilder(text);
        foreach (var m in Pairs(text).Where(m => m.Groups["key"].Value == key).Reverse())
        {
            var v = m.Groups["value"];
            sb.Remove(v.Index, v.Length).Insert(v.Index, value);
        }
        return sb.ToString();
    }

    private static string AliasOfScalar(string text, Random rng)
    {
        var pairs = Pairs(text);
        if (pairs.Count < 2) return text;
        var (a, b) = (pairs[rng.Next(pairs.Count)], pairs[rng.Next(pairs.Count)]);
        if (a.Index == b.Index) return text;
        var (first, second) = a.Index < b.Index ? (a, b) : (b, a);
        var v1 = first.Groups["value"];
        var v2 = second.Groups["value"];
        return text[..v1.Index] + "&s " + v1.Value + text[(v1.Index + v1.Length)..v2.Index] + "*s" + text[(v2.Index + v2.Length)..];
    }

    private static string DeletePair(string text, Random rng)
    {
        var pairs = Pairs(text);
        if (pairs.Count == 0) return text;
        var m = pairs[rng.Next(pairs.Count)];
        int end = m.Index + m.Length;
        if (end < text.Length && text[end] == ',') end++;
        return text[..m.Index] + text[end..];
    }

    private static string DuplicatePair(string text, Random rng)
    {
        var pairs = Pairs(text);
        if (pairs.Count == 0) return text;
        var m = pairs[rng.Next(pairs.Count)];
        bool flow = text.LastIndexOf('\n', Math.Max(0, m.Index - 1)) < text.LastIndexOf('{', Math.Max(0, m.Index - 1));
        if (flow) return text[..m.Index] + m.Value + ", " + text[m.Index..];
        int lineStart = text.LastIndexOf('\n', Math.Max(0, m.Index - 1)) + 1;
        int lineEnd = text.IndexOf('\n', m.Index);
        if (lineEnd < 0) lineEnd = text.Length;
        string line = text[lineStart..lineEnd];
        return text[..lineEnd] + "\n" + line + text[lineEnd..];
    }

    private static string RenameKey(string text, Random rng)
    {
        var pairs = Pairs(text);
        if (pairs.Count == 0) return text;
        var k = pairs[rng.Next(pairs.Count)].Groups["key"];
        string name = rng.Next(2) == 0 ? Pairs(text)[rng.Next(pairs.Count)].Groups["key"].Value : Quote(ValueMutations.Pick(rng, ValueMutations.OddStrings));
        return text[..k.Index] + name + text[(k.Index + k.Length)..];
    }

    private static string EditLines(string text, Random rng, Action<List<string>, int> edit)
    {
        var lines = text.Split('\n').ToList();
        edit(lines, rng.Next(lines.Count));
        return string.Join('\n', lines);
    }

    // The list items that are block mappings ("  - name: ..." and the lines indented under it), as groups of lines.
    private static string EditItems(string text, Random rng, Action<List<string>, int> edit)
    {
        var lines = text.Split('\n');
        int first = Array.FindIndex(lines, l => l.StartsWith("  - ", StringComparison.Ordinal));
        if (first < 0) return text;
        int last = first;
        while (last + 1 < lines.Length && (lines[last + 1].StartsWith("  - ", StringComparison.Ordinal) || lines[last + 1].StartsWith("    ", StringComparison.Ordinal))) last++;
        var items = new List<string>();
        for (int i = first; i <= last; i++)
            if (lines[i].StartsWith("  - ", StringComparison.Ordinal)) items.Add(lines[i]);
            else items[^1] += "\n" + lines[i];
        edit(items, rng.Next(items.Count));
        return string.Join('\n', lines[..first]) + "\n" + string.Join('\n', items) + "\n" + string.Join('\n', lines[(last + 1)..]);
    }

    private static string RemoveOne(string text, Random rng, char c)
    {
        var at = Enumerable.Range(0, text.Length).Where(i => text[i] == c).ToList();
        if (at.Count == 0) return text + c;
        int i = at[rng.Next(at.Count)];
        return text[..i] + text[(i + 1)..];
    }

    private static string InsertAfterOne(string text, Random rng, char c, string insert)
    {
        var at = Enumerable.Range(0, text.Length).Where(i => text[i] == c).ToList();
        if (at.Count == 0) return text + insert;
        int i = at[rng.Next(at.Count)] + 1;
        return text[..i] + insert + text[i..];
    }

    private static bool InComment(string text, int index)
    {
        int lineStart = text.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        return text.AsSpan(lineStart, index - lineStart).TrimStart().StartsWith("#");
    }

    [GeneratedRegex(@"(?<key>[A-Za-z_][A-Za-z0-9_]*): (?<value>""(?:[^""\\\n]|\\.)*""|[^,}\n#]*)", RegexOptions.CultureInvariant)]
    private static partial Regex PairPattern();
}
