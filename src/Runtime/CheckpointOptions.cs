using AutoCkpt.Formats.Options;


namespace AutoCkpt;

/// <summary>Options for <see cref="Checkpointing.Apply{T}(T, string?, Action{string}?, CheckpointOptions?)"/> and <see cref="Checkpointing.Tidy"/>.</summary>
public sealed record CheckpointOptions
{
    /// <summary>
    /// Module path patterns of units that must not be tidy, whatever the plan says (e.g. <c>["head", "blocks.*"]</c>;
    /// syntax: <see cref="NoTidyPatterns"/>). Such units keep every tensor handle they made until the step's dispose
    /// scope ends. Give the same patterns to the planner (<c>autockpt plan --no-tidy</c>, MSBuild
    /// <c>AutoCkptNoTidy</c>) so that its memory prediction does not count on them being tidy.
    /// </summary>
    public IReadOnlyList<string> NoTidy { get; init; } = [];

    /// <summary>
    /// Module path patterns naming the model's units (e.g. <c>["layers.*"]</c>, <c>["blocks.*.attn"]</c>; syntax:
    /// <see cref="NoTidyPatterns"/>): the outermost modules whose paths match. Empty (the default): the units are found
    /// from the model's structure (<see cref="Units.UnitFinder"/>). Profile and plan with the same patterns.
    /// </summary>
    public IReadOnlyList<string> Units { get; init; } = [];

    /// <summary>Where <see cref="Units"/> came from, named in pattern errors (ACKPT100, ACKPT101): the bench and the
    /// profiler set <c>--units</c> or <c>ICheckpointTarget.Units</c>.</summary>
    internal string UnitsOrigin { get; init; } = "CheckpointOptions.Units";
    /// <summary>
    /// Measures one training step under the plan with the device's memory probe and warns once (ACKPT010, through
    /// <c>onWarning</c>) when its peak is over the plan's memory cap (docs/runtime.md, "The peak check"). The step measured
    /// is the first that starts with the gradients made (the app's second), from one forward of the model to the next.
    /// Off by default: on the CPU the probe sets glibc's mmap threshold to 16 KiB for the rest of the process, as the
    /// profile was measured, which makes every large tensor a fresh mapping; on CUDA it needs
    /// <c>PYTORCH_CUDA_ALLOC_CONF=backend:cudaMallocAsync</c> set at launch (ACKPT011 otherwise, and the plan runs unchecked).
    /// </summary>
    public bool CheckPeak { get; init; }
}
