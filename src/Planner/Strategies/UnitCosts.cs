using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Solvers;

namespace AutoCkpt.Planner.Strategies;

/// <summary>
/// What every strategy reads: per unit, the figures of the cost model's profile (kept figures tidy where the unit counts
/// as tidy: <see cref="TidyCosts"/>), the recompute figures, the recompute time in ticks, and the unit's permissions.
/// </summary>
public sealed class UnitCosts
{
    internal UnitCosts(StepCostModel model)
    {
        Model = model;
        Stages = model.Shared.Stages;
        Ticks = TimeTicks.Of(model.Profile);
        TidyAllowed = [.. Enumerable.Range(0, Stages.Count).Select(i => i < model.TidyStages.Count && model.TidyStages[i])];
        RecomputeAllowed = [.. Stages.Select(s => s.RecomputeAllowed)];
    }

    /// <summary>The cost model the figures come from.</summary>
    public StepCostModel Model { get; }

    /// <summary>Per unit: the profile's figures (kept ones tidy where <see cref="TidyAllowed"/>), shared tensors freed where the step frees them (<see cref="SharedTensors"/>).</summary>
    public IReadOnlyList<StageProfile> Stages { get; }

    /// <summary>Per unit: its forward time in ticks, what recomputing it costs; then what each recompute segment costs; and a strategy's own recompute ticks (<see cref="TimeTicks.Of"/>, <see cref="TickTable.For"/>).</summary>
    internal TickTable Ticks { get; }

    /// <summary>Per unit: whether it runs tidy when kept (the profile and the options allow it).</summary>
    public bool[] TidyAllowed { get; }

    /// <summary>Per unit: whether it may be recomputed (the profile's <c>recompute_allowed</c>).</summary>
    public bool[] RecomputeAllowed { get; }

    /// <summary>O_{i−1}, the input of unit i (0 for the first).</summary>
    public long InputBytes(int i) => i > 0 ? Stages[i - 1].OutputBytes : 0;

    /// <summary>What disposing unit i's input handle frees inside a recompute segment (<see cref="SharedTensors.RecomputeInputFreed"/>).</summary>
    public long RecomputeInputFreed(int i) => Model.Shared.RecomputeInputFreed[i];

    /// <summary>What a recompute segment from unit i frees of its saved input after a recompute segment (<see cref="SharedTensors.InputRelease"/>).</summary>
    public long InputRelease(int i) => Model.Shared.InputRelease[i];

    /// <summary>What a kept unit i frees of its input after its backward when a recompute segment ends at unit i−1 (<see cref="SharedTensors.KeptInputRelease"/>).</summary>
    public long KeptInputRelease(int i) => Model.Shared.KeptInputRelease[i];

    /// <summary>The part of <see cref="KeptInputRelease(int)"/> that unit i's input handle frees after its forward (<see cref="SharedTensors.KeptHandleRelease"/>).</summary>
    public long KeptHandleRelease(int i) => Model.Shared.KeptHandleRelease[i];
}
