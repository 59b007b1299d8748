using AutoCkpt.Units;
using static TorchSharp.torch;

namespace AutoCkpt.InPlace;

/// <summary>
/// What a <see cref="RecomputeGroup"/> asks of the plan it belongs to: a plan applied to a model
/// (<see cref="HookedModel"/>), or a lone sub-module recompute that the profiler measures
/// (<c>Strategies.SubModule.SubModuleRecompute</c>).
/// </summary>
internal interface IGroupOwner
{
    /// <summary>The plan file, for messages; null when none.</summary>
    string? PlanFile { get; }

    /// <summary>Counts a hooked module's run (not the recompute's), by its index in the owner's list.</summary>
    void Fired(int index);

    /// <summary>A fresh seed for a recompute on CUDA where the generator's state cannot be read.</summary>
    long NextCudaSeed();

    /// <summary>The parameters the recompute differentiates, and which of them go to autograd as apply arguments.</summary>
    (Tensor[] Parameters, bool[] Passed) Passed(IReadOnlyList<Unit> units, bool inputRequiresGrad);
}
