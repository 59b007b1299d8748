using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// A stage pass as a recompute segment's backward runs the stage (src/Runtime/Recompute/SegmentCall.cs): the input
/// is a leaf copy of the saved input (requiring grad unless it is the batch); the forward runs with autograd and
/// disposes every handle the stage made but its output, so only what autograd saved stays; the backward is
/// <c>autograd.grad</c> with respect to the input and the stage's trainable parameters, whose results are held, as the
/// runtime holds them until the segment's backward returns. The input is never released: the segment saved it.
/// </summary>
internal sealed class RecomputeStagePass : IStagePass
{
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly DisposeScope _scope;
    private readonly Tensor _input;
    private readonly bool _inputRequiresGrad;
    private Tensor? _output;
    private Tensor? _outputGrad;

    /// <param name="module">The stage.</param>
    /// <param name="input">The stage's real input; left untouched.</param>
    /// <param name="isBatch">True for the first stage: the batch needs no gradient.</param>
    public RecomputeStagePass(nn.Module<Tensor, Tensor> module, Tensor input, bool isBatch)
    {
        _module = module;
        _scope = NewDisposeScope();
        _inputRequiresGrad = !isBatch && input.is_floating_point();
        _input = input.detach();
        if (_inputRequiresGrad) _input.requires_grad_(true);
    }

    public void Forward()
    {
        using var inner = NewDisposeScope();
        _output = inner.MoveToOuter(_module.call(_input));
    }

    public long OutputBytes => Output.NumberOfElements * Output.ElementSize;

    public void ReleaseInput() { }

    public bool HasBackward => Output.requires_grad;

    public void PrepareBackward() => _outputGrad = ones_like(Output);

    public void Backward()
    {
        using var inner = NewDisposeScope();
        var inputs = new List<Tensor>();
        if (_inputRequiresGrad) inputs.Add(_input);
        inputs.AddRange(_module.parameters().Where(p => p.requires_grad));
        if (inputs.Count == 0) return;
        var grads = autograd.grad([Output], inputs, [_outputGrad ?? throw new InvalidOperationException("PrepareBackward first")], allow_unused: true);
        foreach (var g in grads)
            if (g is not null) inner.MoveToOuter(g);
    }

    public void Dispose() => _scope.Dispose();

    private Tensor Output => _output ?? throw new InvalidOperationException("Forward first");
}
