using System.Text.Json.Serialization;

namespace AutoCkpt.Formats.Plans;

/// <summary>
/// How a segment's units run: a strategy's key in a plan, read by one registry per layer (the planner's
/// <c>StrategyRegistry</c>, the runtime's <c>BehaviourRegistry</c>) by its <see cref="Name"/>; and the plan file's entry
/// for it (docs/architecture.md, "Adding a strategy"). A strategy is one of the instances in <see cref="All"/>, compared
/// by reference. A strategy that runs its units as another does and adds an option is a variant: its units say the
/// other's name in <c>units[].strategy</c> (<see cref="Base"/>) and carry its own key (<see cref="UnitKey"/>).
/// </summary>
[JsonConverter(typeof(SegmentStrategyJsonConverter))]
public sealed class SegmentStrategy
{
    private SegmentStrategy(string name, string participle, bool recomputes, SegmentStrategy? basedOn = null, string? unitKey = null, bool takesOption = false, bool oneUnit = false, string? label = null)
    {
        Name = name;
        Participle = participle;
        Recomputes = recomputes;
        _base = basedOn;
        UnitKey = unitKey;
        TakesOption = takesOption;
        OneUnit = oneUnit;
        Label = label ?? name;
    }

    private readonly SegmentStrategy? _base;

    /// <summary>Run normally: autograd keeps every unit's saved tensors (tidy where the plan says so).</summary>
    public static SegmentStrategy Keep { get; } = new("keep", "kept", recomputes: false);

    /// <summary>Keep only the segment's input in the forward; recompute the segment before its backward (flat, or nested: <see cref="Segment.Inner"/>).</summary>
    public static SegmentStrategy Recompute { get; } = new("recompute", "recomputed", recomputes: true);

    /// <summary>
    /// A recomputed unit alone in its segment that keeps its <c>Linear</c> layers' outputs from the forward and skips
    /// their matmuls in the recompute (docs/selective.md); format 2's <c>units[].save_matmuls: true</c>.
    /// </summary>
    public static SegmentStrategy SaveMatmuls { get; } = new("save_matmuls", "recomputed", recomputes: true, basedOn: Recompute, unitKey: "save_matmuls", oneUnit: true, label: "save matmuls");

    /// <summary>
    /// A kept unit alone in its segment that recomputes one of its sub-modules (the option: its path relative to the unit,
    /// e.g. <c>attn</c>; docs/selective.md), the rest of the unit kept; format 2's <c>units[].recompute_only: attn</c>.
    /// </summary>
    public static SegmentStrategy SubModule { get; } = new("sub_module", "kept", recomputes: false, basedOn: Keep, unitKey: "recompute_only", takesOption: true, oneUnit: true, label: "recompute part");

    /// <summary>Every strategy a plan can say, bases first: the format's registry.</summary>
    public static IReadOnlyList<SegmentStrategy> All { get; } = [Keep, Recompute, SaveMatmuls, SubModule];

    /// <summary>The key: "keep", "recompute", "save_matmuls". The bench's notation (<c>F-L:name</c>) and every layer's registry use it.</summary>
    public string Name { get; }

    /// <summary>How a message says a unit runs under it: "kept", "recomputed".</summary>
    public string Participle { get; }

    /// <summary>A few words for tables: "keep", "recompute", "save matmuls".</summary>
    public string Label { get; }

    /// <summary>
    /// Whether the segment's units run again before their backward (the forward keeps only the segment's input and what
    /// the strategy saves): what a plan's recompute time and the runtime's recompute hooks count.
    /// </summary>
    public bool Recomputes { get; }

    /// <summary>The strategy whose name the plan file writes in <c>units[].strategy</c>: itself, or for a variant the strategy it varies.</summary>
    public SegmentStrategy Base => _base ?? this;

    /// <summary>Whether the strategy is a variant of another (<see cref="Base"/>), said by its own unit key.</summary>
    public bool IsVariant => _base is not null;

    /// <summary>
    /// For a variant: the format-2 unit key that selects it, e.g. <c>save_matmuls</c>. Its value is <c>true</c>/<c>false</c>,
    /// or, when <see cref="TakesOption"/>, the option's text (<see cref="Segment.Option"/>).
    /// </summary>
    public string? UnitKey { get; }

    /// <summary>Whether the variant's unit key carries an option (a text) rather than true/false.</summary>
    public bool TakesOption { get; }

    /// <summary>Whether the strategy runs one unit alone in its segment.</summary>
    public bool OneUnit { get; }

    /// <summary>Whether <paramref name="option"/> may be a strategy's option: a name of ASCII letters, digits, '_' and '.' (a module path), or several joined by '+' (none repeated, none inside another), so that the bench's notation and the plan file carry it as it is.</summary>
    public static bool IsValidOption(string option)
    {
        var names = option.Split('+');
        return names.All(name => name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.'))
            // none repeated, none inside another (a module recomputed within a module recomputed)
            && names.All(a => names.Count(b => b == a || b.StartsWith(a + ".", StringComparison.Ordinal)) == 1);
    }

    /// <summary>The strategy named <paramref name="name"/> (case-insensitive, as the bench's notation reads it), or null.</summary>
    public static SegmentStrategy? Named(string name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The strategies <c>units[].strategy</c> (and format 1's <c>segments[].strategy</c>) may say.</summary>
    public static IEnumerable<SegmentStrategy> Bases => All.Where(s => !s.IsVariant);

    /// <summary>The variants of this strategy (those whose <see cref="Base"/> it is).</summary>
    public IEnumerable<SegmentStrategy> Variants => All.Where(s => s.IsVariant && s.Base == this);

    /// <summary>The name.</summary>
    public override string ToString() => Name;
}
