using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// A stage pass on real tensors: a detached alias of the stage's real input (requiring grad when asked), the
/// stage's forward with autograd, an output gradient of ones, the backward. Everything lives in one dispose
/// scope until the pass is disposed, as in a plain training step (docs/cost-model.md).
/// </summary>
internal sealed class TorchStagePass : IStagePass
{
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly DisposeScope _scope;
    private readonly Tensor _input;
    private Tensor? _output;
    private Tensor? _outputGrad;

    public TorchStagePass(nn.Module<Tensor, Tensor> module, Tensor input, bool inputRequiresGrad)
    {
        _module = module;
        _scope = NewDisposeScope();
        _input = input.detach();
        if (inputRequiresGrad) _input.requires_grad_(true);
    }

    public void Forward() => _output = _module.call(_input);

    public long OutputBytes => Output.NumberOfElements * Output.ElementSize;

    public bool HasBackward => Output.requires_grad;

    public void PrepareBackward() => _outputGrad = ones_like(Output);

    public void Backward() => Output.backward([_outputGrad ?? throw new InvalidOperationException("PrepareBackward first")]);

    public void Dispose() => _scope.Dispose();

    private Tensor Output => _output ?? throw new InvalidOperationException("Forward first");
}
