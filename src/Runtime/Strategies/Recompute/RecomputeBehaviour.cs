using AutoCkpt.Formats.Plans;
using AutoCkpt.InPlace;
using AutoCkpt.Units;

namespace AutoCkpt.Strategies.Recompute;

/// <summary>
/// Recompute: the segment's units are one <see cref="RecomputeGroup"/>, which keeps only their inputs and re-runs them
/// before their backward; a multi-level segment (<see cref="Segment.Inner"/>) re-runs level by level
/// (<see cref="NestedRecompute"/>).
/// </summary>
internal sealed class RecomputeBehaviour : StrategyBehaviour
{
    /// <inheritdoc />
    public override SegmentStrategy Strategy => SegmentStrategy.Recompute;

    /// <inheritdoc />
    public override bool Hooks(Plan plan, int stage) => true;

    /// <inheritdoc />
    public override void Attach(HookedModel model, Segment segment, IReadOnlyList<Unit> members) =>
        model.AddGroup(members, segment.First, segment.IsNested ? segment : null);
}
