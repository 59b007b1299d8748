using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;

namespace AutoCkpt.Planner.Strategies;

/// <summary>
/// A way to run units (docs/architecture.md, "Adding a strategy"): which units it may run, and what an arc of it costs
/// in the closed form the solvers read (<see cref="Arc"/>). The solvers see only arcs; they never ask which strategy an
/// arc is. Registered once, in <see cref="StrategyRegistry"/>.
/// </summary>
public abstract class PlanStrategy
{
    /// <summary>The strategy's name, e.g. "keep", "tidy", "recompute".</summary>
    public abstract string Name { get; }

    /// <summary>The plan's strategy key for the strategy's units: how the plan file and the runtime run them (one key may serve several planner strategies: keep and tidy keep, recompute and nested).</summary>
    public abstract SegmentStrategy Runs { get; }

    /// <summary>Whether the plan marks the strategy's units tidy (format 2's <c>units[].tidy</c>).</summary>
    public virtual bool Tidy => false;

    /// <summary>
    /// What recomputing <paramref name="stage"/> costs under this strategy, in seconds, when that is not its forward
    /// time (the profile's own figure for it), else null: <see cref="Solvers.TimeTicks.Of"/> turns it into the strategy's
    /// per-unit ticks (<see cref="UnitCosts.Ticks"/>), which a plan's recompute time counts for its segments.
    /// </summary>
    public virtual double? RecomputeSeconds(StageProfile stage) => null;

    /// <summary>
    /// For a strategy with an option per segment (<see cref="Segment.Option"/>): what recomputing <paramref name="stage"/>
    /// costs under each option, in seconds (a sub-module's path and its recompute); empty for most.
    /// <see cref="Solvers.TimeTicks.Of"/> turns them into ticks, which a plan's recompute time counts for segments of the
    /// strategy's key with that option, whether the key <see cref="SegmentStrategy.Recomputes"/> or not.
    /// </summary>
    public virtual IEnumerable<(string Option, double Seconds)> OptionSeconds(StageProfile stage) => [];

    /// <summary>What the strategy keeps from <paramref name="stage"/>'s forward beyond its output, in bytes (0 for most): shown in the plan's table.</summary>
    public virtual long KeptBytes(StageProfile stage) => 0;

    /// <summary>
    /// The strategy this one replaces at every unit where both are allowed, because it is never worse there (tidy keep
    /// replaces keep: no time, no more memory; issue 17). Null when it replaces none.
    /// </summary>
    public virtual string? Replaces => null;

    /// <summary>
    /// Whether the strategy's arcs span 1..L units (a segment) rather than one. Every unit needs a one-unit arc of no
    /// recompute time (keep always offers one): the solvers' bounds rely on it.
    /// </summary>
    public virtual bool Spans => false;

    /// <summary>
    /// Whether an arc keeps only its input in the forward (a checkpoint): after another such arc, its input is freed
    /// after its backward (docs/cost-model.md, "Adjacent recompute segments").
    /// </summary>
    public virtual bool Checkpoint => false;

    /// <summary>Whether the strategy may run unit <paramref name="unit"/> (the unit's permissions in the profile and options).</summary>
    public abstract bool Allows(UnitCosts costs, int unit);

    /// <summary>
    /// The strategy's arcs from unit <paramref name="first"/>: one unit long, or 1..<paramref name="maxLength"/> units for
    /// a spanning strategy (the caller has checked <see cref="Allows"/> for every unit an arc covers), in order of length.
    /// </summary>
    internal abstract void AddArcs(UnitCosts costs, int first, int maxLength, byte id, List<Arc> arcs);

    /// <summary>The plan's segment for an arc of this strategy from unit <paramref name="first"/>.</summary>
    public virtual Segment SegmentOf(int first, Arc arc) => new(first, first + arc.Length - 1, Runs);

    /// <summary>The plan's segment for an arc of this strategy from unit <paramref name="first"/>, for a strategy whose option names what the profile holds (a sub-module's path, from <see cref="Arc.Variant"/>).</summary>
    public virtual Segment SegmentOf(UnitCosts costs, int first, Arc arc) => SegmentOf(first, arc);
}
