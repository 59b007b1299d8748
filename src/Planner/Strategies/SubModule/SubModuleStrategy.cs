using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.Solvers;

namespace AutoCkpt.Planner.Strategies.SubModule;

/// <summary>
/// Recompute a sub-module (docs/selective.md): a kept unit whose sub-module (<c>attn</c>, <c>mlp</c>, <c>attn.core</c>:
/// the profile's <c>sub_modules</c>) frees its graph after its forward and rebuilds it in the backward. One one-unit arc
/// per sub-module (<see cref="Arc.Variant"/>: its index in the profile's list), with the unit's kept figures replaced by
/// the ones measured with that sub-module recomputed, and the sub-module's recompute time plus the cost of one recompute
/// segment. Offered where the profile measured the option with the unit run as the plan will run it: untidy here, tidy
/// in <see cref="TidySubModuleStrategy"/>.
/// </summary>
public class SubModuleStrategy : PlanStrategy
{
    /// <inheritdoc />
    public override string Name => "sub_module";

    /// <inheritdoc />
    public override SegmentStrategy Runs => SegmentStrategy.SubModule;

    /// <inheritdoc />
    public override IEnumerable<(string Option, double Seconds)> OptionSeconds(StageProfile stage) =>
        stage.SubModules.Select(m => (m.Path, m.RecomputeSeconds));

    /// <inheritdoc />
    public override bool Allows(UnitCosts costs, int unit) =>
        costs.Stages[unit].SubModules.Count > 0 && costs.RecomputeAllowed[unit] && !costs.TidyAllowed[unit] && !costs.Stages[unit].TidyAllowed;

    internal override void AddArcs(UnitCosts costs, int first, int maxLength, byte id, List<Arc> arcs)
    {
        var s = costs.Stages[first];
        for (int v = 0; v < s.SubModules.Count; v++)
        {
            var sub = s.SubModules[v];
            arcs.Add(new Arc(1, costs.Ticks.Option(Runs, first, sub.Path)!.Value + TimeTicks.Segment(costs.Ticks),
                Forward: sub.RetainedBytes + sub.ForwardTransientBytes,
                Hold: sub.RetainedBytes - (first > 0 ? s.InputFreedBytes : 0),
                Release: sub.BackwardFreedBytes + costs.InputBytes(first),
                Backward: Math.Max(s.OutputBytes + sub.BackwardTransientBytes, -sub.BackwardFreedBytes),
                Checkpoint: false, id, v));
        }
    }

    /// <inheritdoc />
    public override Segment SegmentOf(UnitCosts costs, int first, Arc arc) =>
        new(first, first, Runs) { Option = costs.Stages[first].SubModules[arc.Variant].Path };
}
