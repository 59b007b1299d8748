using AutoCkpt.Formats.Plans;
using AutoCkpt.InPlace;
using AutoCkpt.Units;

namespace AutoCkpt.Strategies.SaveMatmuls;

/// <summary>
/// Save-matmuls (docs/selective.md): the unit is a one-unit <see cref="RecomputeGroup"/>, and <see cref="SavedLinears"/>,
/// hooked on the same unit, keeps its <c>Linear</c> outputs across the recompute.
/// </summary>
internal sealed class SaveMatmulsBehaviour : StrategyBehaviour
{
    /// <inheritdoc />
    public override SegmentStrategy Strategy => SegmentStrategy.SaveMatmuls;

    /// <inheritdoc />
    public override bool Hooks(Plan plan, int stage) => true;

    /// <inheritdoc />
    public override void Attach(HookedModel model, Segment segment, IReadOnlyList<Unit> members)
    {
        var group = model.AddGroup(members, segment.First, null);
        model.OnRemove(SavedLinears.Attach(group).Remove);
    }
}
