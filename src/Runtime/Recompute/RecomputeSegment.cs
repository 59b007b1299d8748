using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Recompute;

/// <summary>
/// A run of consecutive stages that keeps only its input in the forward and recomputes itself in the backward.
/// Parameters and buffers are looked up on every call, so moving the model after applying a plan is fine.
/// <para>
/// The recompute differentiates with respect to every trainable parameter of the whole model, not only those its
/// stages own: a stage may read another stage's parameter through a field or a delegate (a head tied to the
/// embedding's weight), and a parameter left out of the apply arguments would get no gradient from this segment,
/// silently. Parameters the segment does not reach get none (<c>allow_unused</c>). Only parameters without a gradient
/// yet are apply arguments; the others' gradients are added into <c>.grad</c> in the segment's backward
/// (<see cref="Passed"/>).
/// </para>
/// </summary>
internal sealed class RecomputeSegment
{
    private readonly Func<long> _cudaSeeds;
    private readonly nn.Module _model;

    /// <param name="stages">The segment's stages, in order.</param>
    /// <param name="cudaSeeds">Gives a fresh seed for a segment on CUDA where the generator's state cannot be read.</param>
    /// <param name="model">The whole model: its trainable parameters are the ones the recompute differentiates.</param>
    public RecomputeSegment(IReadOnlyList<Stage> stages, Func<long> cudaSeeds, nn.Module model)
    {
        Stages = stages;
        _cudaSeeds = cudaSeeds;
        _model = model;
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
        var passed = Passed(parameters, input.requires_grad);
        var call = new SegmentCall(this, parameters, passed);
        var args = new List<object>(2 + parameters.Length) { call, input };
        for (int i = 0; i < parameters.Length; i++)
            if (passed[i]) args.Add(parameters[i]);
        var output = CheckpointFunction.apply(args.ToArray());
        call.AfterApply(output);
        return output;
    }

    /// <summary>The buffers of the segment's modules (e.g. BatchNorm running statistics).</summary>
    public IReadOnlyList<Tensor> Buffers() =>
        Stages.SelectMany(s => s.Module.buffers()).DistinctBy(b => b.Handle).ToList();

    /// <summary>
    /// Which parameters go to autograd as apply arguments: those without a gradient yet (autograd makes it from what
    /// the backward returns), and, when none does and the input needs no gradient, one of the segment's own so that a
    /// node is built (facts §3). Every other gradient is added into <c>.grad</c> in the segment's backward. A parameter
    /// passed to the node cannot have its gradient accumulated until that node's backward has run: passing every
    /// parameter to every segment held the gradients of all later stages in autograd's input buffers until the
    /// first segment's backward (issue 15, docs/benchmarks.md).
    /// </summary>
    private bool[] Passed(Tensor[] parameters, bool inputRequiresGrad)
    {
        var passed = new bool[parameters.Length];
        bool any = false;
        for (int i = 0; i < parameters.Length; i++)
        {
            using var grad = parameters[i].grad;
            passed[i] = grad is null || grad.IsInvalid;
            any |= passed[i];
        }
        if (any || inputRequiresGrad || parameters.Length == 0) return passed;
        var own = Stages.SelectMany(s => s.Module.parameters()).Select(p => p.Handle).ToHashSet();
        int pick = Array.FindIndex(parameters, p => own.Contains(p.Handle));
        passed[pick < 0 ? 0 : pick] = true;
        return passed;
    }

    /// <summary>Every parameter of the model that requires grad, once each (a module registered twice lists it twice).</summary>
    private Tensor[] TrainableParameters() =>
        _model.parameters().Where(p => p.requires_grad).DistinctBy(p => p.Handle).ToArray<Tensor>();
}
