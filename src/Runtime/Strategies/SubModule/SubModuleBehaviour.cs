using AutoCkpt.Formats.Plans;
using AutoCkpt.InPlace;
using AutoCkpt.Units;

namespace AutoCkpt.Strategies.SubModule;

/// <summary>
/// Recompute a sub-module (docs/selective.md): the unit is kept (tidy where the plan says so) and the sub-module the
/// segment's option names (<see cref="SubModules.Find"/>; several, comma-separated, in a plan made in memory) is a
/// one-module recompute group inside it (<see cref="HookedModel.AddSubModule"/>).
/// </summary>
internal sealed class SubModuleBehaviour : StrategyBehaviour
{
    /// <inheritdoc />
    public override SegmentStrategy Strategy => SegmentStrategy.SubModule;

    /// <inheritdoc />
    public override bool Hooks(Plan plan, int stage) => plan.IsTidy(stage);

    /// <inheritdoc />
    public override string Verb => "recomputes a sub-module of";

    /// <inheritdoc />
    public override void Attach(HookedModel model, Segment segment, IReadOnlyList<Unit> members)
    {
        foreach (var path in SubModules.Split(segment.Option))
            model.AddSubModule(SubModules.Find(members[0], path, model.PlanFile));
        if (model.Plan.IsTidy(segment.First)) model.AddTidy(segment.First);
    }
}
