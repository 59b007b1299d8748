using TorchSharp;

namespace AutoCkpt;

/// <summary>
/// The design-time contract between a user's training project and AutoCkpt's profiler and benchmark. Implement it
/// on a public, non-abstract class with a parameterless constructor; <c>autockpt profile</c> finds it by reflection.
/// </summary>
public interface ICheckpointTarget
{
    /// <summary>The target's name, as given to <c>--target</c> and written in profiles and plans.</summary>
    string Name { get; }

    /// <summary>
    /// Creates the model on <paramref name="device"/>. Its units are found as <c>Checkpointing.Apply</c> finds them (a
    /// <c>Sequential</c>'s children, an <see cref="IStagedModel"/>'s stages, the largest <c>ModuleList</c> of repeated
    /// blocks), or named by <see cref="Units"/>.
    /// </summary>
    torch.nn.Module<torch.Tensor, torch.Tensor> CreateModel(torch.Device device);

    /// <summary>Creates one batch of <paramref name="batchSize"/> samples on <paramref name="device"/>.</summary>
    (torch.Tensor Input, torch.Tensor Target) CreateBatch(torch.Device device, int batchSize);

    /// <summary>The training loss of <paramref name="output"/> against <paramref name="target"/>, a scalar.</summary>
    torch.Tensor Loss(torch.Tensor output, torch.Tensor target);

    /// <summary>The batch size used when none is given on the command line.</summary>
    int DefaultBatchSize => 8;

    /// <summary>The random seed for model creation and data.</summary>
    long Seed => 0;

    /// <summary>
    /// Module path patterns of units that must not run tidy (syntax: <c>AutoCkpt.Formats.Options.NoTidyPatterns</c>); the
    /// profiler records them as not allowing tidy, and the bench applies them. Pass the same patterns to
    /// <c>Checkpointing.Apply</c> in the training app (<c>CheckpointOptions.NoTidy</c>). Default: none.
    /// </summary>
    System.Collections.Generic.IReadOnlyList<string> NoTidy => [];

    /// <summary>
    /// Module path patterns naming the model's units (e.g. <c>["layers.*"]</c>, <c>["blocks.*.attn"]</c>; syntax:
    /// <c>AutoCkpt.Formats.Options.NoTidyPatterns</c>): the outermost modules whose paths match, as
    /// <see cref="CheckpointOptions.Units"/>. The profiler measures these units and the bench applies plans with them;
    /// <c>autockpt profile --units</c> and the MSBuild property <c>AutoCkptUnits</c> override them. Empty (the default):
    /// the units are found from the model's structure. A plan made with patterns names its units by path, so the training
    /// app may apply it with or without the same patterns.
    /// </summary>
    System.Collections.Generic.IReadOnlyList<string> Units => [];

    /// <summary>The optimizer used in training, or null for none. Its state counts as fixed memory.</summary>
    torch.optim.Optimizer? CreateOptimizer(torch.nn.Module model) => null;
}
