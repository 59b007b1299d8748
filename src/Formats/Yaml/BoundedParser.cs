using AutoCkpt.Formats.Errors;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace AutoCkpt.Formats.Yaml;

/// <summary>
/// Passes YamlDotNet's parsing events through, refusing before the representation model is built what would make
/// it recurse without bound, loop or grow without bound: nesting deeper than <see cref="FileLimits.MaxDepth"/>, more
/// than <see cref="FileLimits.MaxEvents"/> events, a list or mapping used as a key, an alias of a list or mapping
/// (recursive aliases, "billion laughs"), an alias of no anchor, and a second document.
/// </summary>
internal sealed class BoundedParser : IParser
{
    private readonly IParser _inner;
    private readonly string _file, _code;
    private readonly Stack<Frame> _open = new();
    private readonly Dictionary<string, bool> _anchorIsScalar = new(StringComparer.Ordinal);
    private int _events, _documents;

    public BoundedParser(IParser inner, string file, string code)
    {
        _inner = inner;
        _file = file;
        _code = code;
    }

    public ParsingEvent? Current => _inner.Current;

    /// <summary>Where the last event started, for errors that YamlDotNet reports without a place.</summary>
    public Mark LastStart { get; private set; } = Mark.Empty;

    public bool MoveNext()
    {
        if (!_inner.MoveNext()) return false;
        var e = _inner.Current!;
        LastStart = e.Start;
        if (++_events > FileLimits.MaxEvents)
            throw Fail(e, $"the file holds more than {FileLimits.MaxEvents} YAML nodes.");
        switch (e)
        {
            case DocumentStart:
                if (++_documents > 1) throw Fail(e, "a second YAML document starts here ('---'): a profile or plan is one document.");
                break;
            case AnchorAlias alias:
                Node(e, isScalar: true);
                string name = alias.Value.Value;
                if (!_anchorIsScalar.TryGetValue(name, out bool scalar))
                    throw Fail(e, $"the alias *{name} refers to no anchor defined before it.");
                if (!scalar)
                    throw Fail(e, $"the alias *{name} repeats a list or mapping: AutoCkpt's files allow aliases of single values only.");
                break;
            case Scalar s:
                Node(e, isScalar: true);
                if (!s.Anchor.IsEmpty) _anchorIsScalar[s.Anchor.Value] = true;
                break;
            case SequenceStart or MappingStart:
                Node(e, isScalar: false);
                var anchor = ((NodeEvent)e).Anchor;
                if (!anchor.IsEmpty) _anchorIsScalar[anchor.Value] = false;
                if (_open.Count >= FileLimits.MaxDepth)
                    throw Fail(e, $"lists and mappings are nested more than {FileLimits.MaxDepth} deep.");
                _open.Push(new Frame(e is MappingStart));
                break;
            case SequenceEnd or MappingEnd:
                if (_open.Count > 0) _open.Pop();
                break;
        }
        return true;
    }

    // A node inside a mapping alternates key, value: a key must be a single value.
    private void Node(ParsingEvent e, bool isScalar)
    {
        if (_open.Count == 0 || !_open.Peek().IsMapping) return;
        var frame = _open.Peek();
        if (frame.ExpectKey && !isScalar)
            throw Fail(e, "a list or mapping is used as a key: keys must be single values.");
        frame.ExpectKey = !frame.ExpectKey;
    }

    private AckptException Fail(ParsingEvent e, string message) =>
        new(_code, $"line {e.Start.Line}, column {e.Start.Column}: {message}", _file);

    private sealed class Frame(bool isMapping)
    {
        public bool IsMapping { get; } = isMapping;
        public bool ExpectKey { get; set; } = true;
    }
}
