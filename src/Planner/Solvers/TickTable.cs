using AutoCkpt.Formats.Plans;

namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// A profile's recompute times in ticks (<see cref="TimeTicks"/>): per unit i, <c>this[i]</c>, its forward time, what
/// recomputing it costs; <c>this[n]</c>, what each recompute segment costs beyond its units (<see cref="TimeTicks.Segment"/>);
/// and, for a strategy whose recompute of a unit costs other than its forward (<c>PlanStrategy.RecomputeSeconds</c>),
/// that strategy's own per-unit ticks (<see cref="For"/>). Made by <see cref="TimeTicks.Of"/>.
/// </summary>
internal sealed class TickTable
{
    private readonly long[] _units;
    private readonly IReadOnlyDictionary<SegmentStrategy, long[]> _own;
    private readonly IReadOnlyDictionary<(SegmentStrategy, int, string), long> _options;

    public TickTable(long[] units, IReadOnlyDictionary<SegmentStrategy, long[]> own, IReadOnlyDictionary<(SegmentStrategy, int, string), long>? options = null)
    {
        _units = units;
        _own = own;
        _options = options ?? new Dictionary<(SegmentStrategy, int, string), long>();
    }

    /// <summary>What recomputing unit <paramref name="unit"/> costs under <paramref name="strategy"/> with option <paramref name="option"/> (<c>PlanStrategy.OptionSeconds</c>), or null where the profile has no figure for it.</summary>
    public long? Option(SegmentStrategy strategy, int unit, string option) => _options.TryGetValue((strategy, unit, option), out var t) ? t : null;

    /// <summary>Unit i's forward ticks (i &lt; n), or the per-segment ticks (i = n).</summary>
    public long this[int i] => _units[i];

    /// <summary>The number of entries: the units and the per-segment entry.</summary>
    public int Length => _units.Length;

    /// <summary>A copy of the units' forward ticks and the per-segment entry.</summary>
    public long[] ToArray() => (long[])_units.Clone();

    /// <summary>Per unit, what recomputing it costs under <paramref name="strategy"/>: its own ticks, or the forward ticks.</summary>
    public IReadOnlyList<long> For(SegmentStrategy strategy) => _own.TryGetValue(strategy, out var own) ? own : _units;
}
