using AutoCkpt.Formats.Plans;
using AutoCkpt.InPlace;
using AutoCkpt.Units;

namespace AutoCkpt.Strategies;

/// <summary>
/// How one plan strategy (<see cref="SegmentStrategy"/>) runs in place: the hooks it puts on a segment's units
/// (docs/architecture.md, "Adding a strategy"). One per strategy, in its own folder, registered in
/// <see cref="BehaviourRegistry"/>; the applying code (<see cref="HookedModel"/>, the plan checks in <c>Apply/</c>)
/// asks the registry and never names a strategy.
/// </summary>
internal abstract class StrategyBehaviour
{
    /// <summary>The plan strategy this behaviour runs.</summary>
    public abstract SegmentStrategy Strategy { get; }

    /// <summary>
    /// Whether the behaviour hooks unit <paramref name="stage"/> of <paramref name="plan"/> (checked before applying:
    /// a hooked unit must return one Tensor, ACKPT106), and what a message says it does to it ("recomputes").
    /// </summary>
    public abstract bool Hooks(Plan plan, int stage);

    /// <summary>What a message says the plan does to a hooked unit: "recomputes", "runs tidy".</summary>
    public virtual string Verb => Strategy.Recomputes ? "recomputes" : $"runs {Strategy.Name}";

    /// <summary>Whether a segment's units must each take the previous one's output as first input (a recompute re-runs them as a chain; ACKPT108).</summary>
    public virtual bool Chains => Strategy.Recomputes;

    /// <summary>
    /// Hooks segment <paramref name="segment"/>'s units (<paramref name="members"/>, in order) on <paramref name="model"/>,
    /// through its <see cref="HookedModel.AddGroup"/>, <see cref="HookedModel.AddTidy"/> and
    /// <see cref="HookedModel.OnRemove"/>, so that removing the plan removes every hook.
    /// </summary>
    public abstract void Attach(HookedModel model, Segment segment, IReadOnlyList<Unit> members);
}
