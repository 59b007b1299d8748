using AutoCkpt.Formats.Plans;
using AutoCkpt.InPlace;
using AutoCkpt.Units;

namespace AutoCkpt.Strategies.Keep;

/// <summary>
/// Keep: the units run as written, with no hook, except those the plan marks tidy (and no code opt-out excludes), which
/// get a <see cref="TidyHook"/>.
/// </summary>
internal sealed class KeepBehaviour : StrategyBehaviour
{
    /// <inheritdoc />
    public override SegmentStrategy Strategy => SegmentStrategy.Keep;

    /// <inheritdoc />
    public override bool Hooks(Plan plan, int stage) => plan.IsTidy(stage);

    /// <inheritdoc />
    public override string Verb => "runs tidy";

    /// <inheritdoc />
    public override void Attach(HookedModel model, Segment segment, IReadOnlyList<Unit> members)
    {
        for (int i = segment.First; i <= segment.Last; i++)
            if (model.Plan.IsTidy(i)) model.AddTidy(i);
    }
}
