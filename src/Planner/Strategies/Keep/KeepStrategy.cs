using AutoCkpt.Formats;

namespace AutoCkpt.Planner.Strategies.Keep;

/// <summary>
/// Keep: the unit runs as written and autograd keeps what it saved to its backward (docs/cost-model.md). Kept runs cost
/// what one-unit arcs cost, so its arcs are one unit long.
/// </summary>
public class KeepStrategy : PlanStrategy
{
    /// <inheritdoc />
    public override string Name => "keep";

    /// <inheritdoc />
    public override SegmentStrategy Runs => SegmentStrategy.Keep;

    /// <inheritdoc />
    public override bool Allows(UnitCosts costs, int unit) => true;

    internal override void AddArcs(UnitCosts costs, int first, int maxLength, byte id, List<Arc> arcs)
    {
        var s = costs.Stages[first];
        long hold = s.RetainedBytes - (first > 0 ? s.InputFreedBytes : 0);
        arcs.Add(new Arc(1, 0,
            Forward: s.RetainedBytes + s.ForwardTransientBytes,
            Hold: hold,
            Release: s.BackwardFreedBytes + costs.InputBytes(first),
            Backward: Math.Max(s.OutputBytes + s.BackwardTransientBytes, -s.BackwardFreedBytes),
            Checkpoint: false, id));
    }
}
