using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Checkpoints;

/// <summary>
/// A run of consecutive stages that keeps only its input in the forward and recomputes itself in the backward.
/// Parameters and buffers are looked up on every call, so moving the model after applying a plan is fine.
/// </summary>
internal sealed class RecomputeSegment
{
    private readonly Func<long> _cudaSeeds;

    public RecomputeSegment(IReadOnlyList<Stage> stages, Func<long> cudaSeeds)
    {
        Stages = stages;
        _cudaSeeds = cudaSeeds;
    }

    public IReadOnlyList<Stage> Stages { get; }

    /// <summary>"stages blocks.0 to blocks.2", for messages.</summary>
    public string Description => Stages.Count == 1 ? $"stage {Stages[0].Name}" : $"stages {Stages[0].Name} to {Stages[^1].Name}";

    /// <summary>A fresh seed for a segment that runs on CUDA.</summary>
    public long NextCudaSeed() => _cudaSeeds();

    /// <summary>
    /// Runs the segment. With grad enabled the output's backward recomputes the segment; with grad disabled
    /// (inference) the stages simply run, disposing intermediates as they go.
    /// </summary>
    public Tensor Run(Tensor input)
    {
        if (!torch.is_grad_enabled())
            return StageChain.RunDisposing(Stages, input);
        var parameters = TrainableParameters();
        var args = new object[2 + parameters.Length];
        var call = new SegmentCall(this, parameters);
        args[0] = call;
        args[1] = input;
        parameters.CopyTo(args, 2);
        var output = CheckpointFunction.apply(args);
        call.AfterApply(output);
        return output;
    }

    /// <summary>The buffers of the segment's modules (e.g. BatchNorm running statistics).</summary>
    public IReadOnlyList<Tensor> Buffers() =>
        Stages.SelectMany(s => s.Module.buffers()).DistinctBy(b => b.Handle).ToList();

    private Tensor[] TrainableParameters() =>
        Stages.SelectMany(s => s.Module.parameters()).Where(p => p.requires_grad).DistinctBy(p => p.Handle).ToArray<Tensor>();
}
