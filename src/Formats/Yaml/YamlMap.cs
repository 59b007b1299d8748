using System.Globalization;
using AutoCkpt.Formats.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AutoCkpt.Formats.Yaml;

/// <summary>
/// A read-only view of one YAML mapping that reports every missing, mistyped, negative or out-of-range key as an
/// <see cref="AckptException"/> naming the key's path and the file. Parsing is bounded (<see cref="BoundedParser"/>).
/// </summary>
internal sealed class YamlMap
{
    private readonly YamlMappingNode _node;
    private readonly string _path;
    private readonly string _file;
    private readonly string _code;

    private YamlMap(YamlMappingNode node, string path, string file, string code)
    {
        _node = node;
        _path = path;
        _file = file;
        _code = code;
    }

    /// <summary>
    /// Parses text into its root mapping. Malformed YAML, and YAML past <see cref="FileLimits"/>, throws with
    /// <paramref name="code"/>, the file and the line and column; no exception of YamlDotNet's escapes.
    /// </summary>
    public static YamlMap Parse(string text, string file, string code)
    {
        if (text.Length > FileLimits.MaxFileBytes)
            throw new AckptException(code, $"the text is {text.Length} characters, more than the {FileLimits.MaxFileBytes} AutoCkpt reads.", file);
        var stream = new YamlStream();
        var parser = new BoundedParser(new Parser(new StringReader(text)), file, code);
        try
        {
            stream.Load(parser);
        }
        catch (AckptException)
        {
            throw;
        }
        catch (YamlException e)
        {
            throw new AckptException(code, $"not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {Flatten(e)}", file, e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // YamlDotNet reports some malformed input (an unclosed '{', a lone ':') with plain .NET exceptions.
            throw new AckptException(code, $"not valid YAML near line {parser.LastStart.Line}, column {parser.LastStart.Column}: {Flatten(e)}", file, e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new AckptException(code, "expected a YAML mapping at the top of the file.", file);
        return new YamlMap(root, "", file, code);
    }

    /// <summary>
    /// The root mapping of text in <see cref="SimpleYamlReader"/>'s subset, read fast; null otherwise. Its nodes carry no
    /// line and column: on a failed check, read the text again with <see cref="Parse"/> for the placed message.
    /// </summary>
    public static YamlMap? TryParseSimple(string text, string file, string code) =>
        SimpleYamlReader.TryParse(text) is { } root ? new YamlMap(root, "", file, code) : null;

    public bool Has(string key) => Find(key) is { } node && !IsNull(node);

    public string Str(string key) => Scalar(key).Value ?? throw Missing(key);

    public string? OptStr(string key) => Has(key) ? Str(key) : null;

    /// <summary>A byte count from 0 to <paramref name="max"/> (by default <see cref="FileLimits.MaxBytes"/>).</summary>
    public long Bytes(string key, long max = FileLimits.MaxBytes)
    {
        long v = Whole(key, "bytes");
        if (v < 0) throw At(key, $"{Where(key)} must not be negative ({v}).");
        if (v > max) throw At(key, $"{Where(key)} is {v} bytes, more than the {max} a file may hold.");
        return v;
    }

    /// <summary>A byte count that may be negative, within ±<see cref="FileLimits.MaxBytes"/>.</summary>
    public long SignedBytes(string key)
    {
        long v = Whole(key, "bytes");
        if (Math.Abs(v) > FileLimits.MaxBytes) throw At(key, $"{Where(key)} is {v} bytes, beyond the ±{FileLimits.MaxBytes} a file may hold.");
        return v;
    }

    /// <summary>A count from 0 to <paramref name="max"/>.</summary>
    public int Int(string key, int max = int.MaxValue)
    {
        long v = Whole(key, "count");
        if (v < 0) throw At(key, $"{Where(key)} must not be negative ({v}).");
        if (v > max) throw At(key, $"{Where(key)} is {v}, more than the {max} a file may hold.");
        return (int)v;
    }

    /// <summary>Seconds: finite, from 0 to <paramref name="max"/>, and 0 or at least <see cref="FileLimits.MinPositiveSeconds"/>.</summary>
    public double Seconds(string key, double max = FileLimits.MaxSeconds)
    {
        double v = Number(key);
        if (v < 0) throw At(key, $"{Where(key)} must not be negative ({Str(key)}).");
        if (v > max || (v > 0 && v < FileLimits.MinPositiveSeconds))
            throw At(key, $"{Where(key)} is {Str(key)} seconds: a time must be 0 or from {FileLimits.MinPositiveSeconds.ToString("R", CultureInfo.InvariantCulture)} to {max.ToString("R", CultureInfo.InvariantCulture)}.");
        return v;
    }

    /// <summary>A finite number of at least 0, such as a relative gap.</summary>
    public double Ratio(string key)
    {
        double v = Number(key);
        if (v < 0) throw At(key, $"{Where(key)} must not be negative ({Str(key)}).");
        return v;
    }

    public YamlMap Map(string key) =>
        Find(key) switch
        {
            null => throw Missing(key),
            YamlMappingNode m => new YamlMap(m, Where(key), _file, _code),
            _ => throw At(key, $"{Where(key)} must be a mapping."),
        };

    public YamlMap? OptMap(string key) => Has(key) ? Map(key) : null;

    public IReadOnlyList<YamlMap> List(string key, bool required = true, int max = int.MaxValue)
    {
        var node = Find(key);
        if (node is null || IsNull(node))
            return required ? throw Missing(key) : [];
        if (node is not YamlSequenceNode seq) throw At(key, $"{Where(key)} must be a list.");
        if (seq.Children.Count > max) throw At(key, $"{Where(key)} has {seq.Children.Count} entries, more than the {max} a file may hold.");
        var items = new List<YamlMap>();
        for (int i = 0; i < seq.Children.Count; i++)
        {
            if (seq.Children[i] is not YamlMappingNode m) throw Place(seq.Children[i], $"{Where(key)}[{i}] must be a mapping.");
            items.Add(new YamlMap(m, $"{Where(key)}[{i}]", _file, _code));
        }
        return items;
    }

    /// <summary>The path of this mapping, e.g. "stages[3]".</summary>
    public string Path => _path;

    public AckptException Fail(string message) => new(_code, message, _file);

    private static string Flatten(Exception e) => e.Message.ReplaceLineEndings(" ");

    // Only a plain (unquoted) empty, ~ or null is YAML's null: a quoted "null" is the text null.
    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private long Whole(string key, string what)
    {
        var s = Str(key);
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)) return v;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || !double.IsFinite(d) || d != Math.Floor(d))
            throw At(key, $"{Where(key)} must be a whole number of {what}, not '{s}'.");
        if (Math.Abs(d) >= 9.2e18)
            throw At(key, $"{Where(key)} is out of range ('{s}').");
        return (long)d;
    }

    private double Number(string key)
    {
        var s = Str(key);
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw At(key, $"{Where(key)} must be a number, not '{s}'.");
        return v;
    }

    private string Where(string key) => _path.Length == 0 ? key : $"{_path}.{key}";

    private AckptException Missing(string key) => Place(_node, $"{Where(key)} is missing.");

    // The key's value, or the mapping when the key is absent: "line 12, column 5: stages[0].output_bytes ...".
    private AckptException At(string key, string message) => Place(Find(key) ?? _node, message);

    private AckptException Place(YamlNode node, string message) =>
        node.Start.Line > 0 ? Fail($"line {node.Start.Line}, column {node.Start.Column}: {message}") : Fail(message);

    private YamlNode? Find(string key) =>
        _node.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    private YamlScalarNode Scalar(string key) =>
        Find(key) switch
        {
            null => throw Missing(key),
            YamlScalarNode s => s,
            _ => throw At(key, $"{Where(key)} must be a single value."),
        };
}
