using AutoCkpt.Formats.Options;


namespace AutoCkpt;

/// <summary>Options for <see cref="Checkpointing.Apply(TorchSharp.torch.nn.Module{TorchSharp.torch.Tensor, TorchSharp.torch.Tensor}, string?, Action{string}?, CheckpointOptions?)"/> and <see cref="Checkpointing.Tidy"/>.</summary>
public sealed record CheckpointOptions
{
    /// <summary>
    /// Module path patterns of units that must not be tidy, whatever the plan says (e.g. <c>["head", "blocks.*"]</c>;
    /// syntax: <see cref="NoTidyPatterns"/>). Such units keep every tensor handle they made until the step's dispose
    /// scope ends. Give the same patterns to the planner (<c>autockpt plan --no-tidy</c>, MSBuild
    /// <c>AutoCkptNoTidy</c>) so that its memory prediction does not count on them being tidy.
    /// </summary>
    public IReadOnlyList<string> NoTidy { get; init; } = [];
}
