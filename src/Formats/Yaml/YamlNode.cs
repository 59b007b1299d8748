using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AutoCkpt.Formats.Yaml;

/// <summary>
/// A read-only view of one YAML mapping that reports every missing, mistyped or negative key as an
/// <see cref="AckptException"/> naming the key's path and the file.
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

    /// <summary>Parses text into its root mapping; malformed YAML throws with <paramref name="code"/>.</summary>
    public static YamlMap Parse(string text, string file, string code)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new AckptException(code, $"not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}", file, e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new AckptException(code, "expected a YAML mapping at the top of the file.", file);
        return new YamlMap(root, "", file, code);
    }

    public bool Has(string key) => Find(key) is not null and not YamlScalarNode { Value: null or "" or "~" or "null" };

    public string Str(string key) => Scalar(key).Value ?? throw Missing(key);

    public string? OptStr(string key) => Has(key) ? Str(key) : null;

    public long Bytes(string key)
    {
        long v = SignedBytes(key);
        if (v < 0) throw Fail($"{Where(key)} must not be negative ({v}).");
        return v;
    }

    public long SignedBytes(string key)
    {
        var s = Str(key);
        if (!long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v)
            && !(double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d == Math.Floor(d) && Math.Abs(d) < 9e18 && (v = (long)d) == v))
            throw Fail($"{Where(key)} must be a whole number of bytes, not '{s}'.");
        return v;
    }

    public int Int(string key)
    {
        long v = Bytes(key);
        if (v > int.MaxValue) throw Fail($"{Where(key)} is too large ({v}).");
        return (int)v;
    }

    public double Seconds(string key)
    {
        var s = Str(key);
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || double.IsNaN(v) || double.IsInfinity(v))
            throw Fail($"{Where(key)} must be a number, not '{s}'.");
        if (v < 0) throw Fail($"{Where(key)} must not be negative ({s}).");
        return v;
    }

    public YamlMap Map(string key) =>
        Find(key) switch
        {
            null => throw Missing(key),
            YamlMappingNode m => new YamlMap(m, Where(key), _file, _code),
            _ => throw Fail($"{Where(key)} must be a mapping."),
        };

    public YamlMap? OptMap(string key) => Has(key) ? Map(key) : null;

    public IReadOnlyList<YamlMap> List(string key, bool required = true)
    {
        var node = Find(key);
        if (node is null or YamlScalarNode { Value: null or "" or "~" or "null" })
            return required ? throw Missing(key) : [];
        if (node is not YamlSequenceNode seq) throw Fail($"{Where(key)} must be a list.");
        var items = new List<YamlMap>();
        for (int i = 0; i < seq.Children.Count; i++)
        {
            if (seq.Children[i] is not YamlMappingNode m) throw Fail($"{Where(key)}[{i}] must be a mapping.");
            items.Add(new YamlMap(m, $"{Where(key)}[{i}]", _file, _code));
        }
        return items;
    }

    /// <summary>The path of this mapping, e.g. "stages[3]".</summary>
    public string Path => _path;

    public AckptException Fail(string message) => new(_code, message, _file);

    private string Where(string key) => _path.Length == 0 ? key : $"{_path}.{key}";

    private AckptException Missing(string key) => Fail($"{Where(key)} is missing.");

    private YamlNode? Find(string key) =>
        _node.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    private YamlScalarNode Scalar(string key) =>
        Find(key) switch
        {
            null => throw Missing(key),
            YamlScalarNode s => s,
            _ => throw Fail($"{Where(key)} must be a single value."),
        };
}
