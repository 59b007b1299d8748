using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// A stage pass as a recompute segment's backward runs the stage (src/Runtime/InPlace/GroupCall.cs): the input
/// is a leaf copy of the saved input (requiring grad unless it is the batch); a stage whose forward begins with an
/// in-place op (<c>ReLU(inplace: true)</c>) may not modify a leaf that requires grad, so for it the leaf is fed through a
/// non-leaf copy whose handle goes with the forward's (it stays only if autograd saved it); the forward runs with autograd and
/// disposes every handle the stage made but its output, so only what autograd saved stays; the backward is
/// <c>autograd.grad</c> with respect to the input and the stage's trainable parameters, whose results are held, as the
/// runtime holds them until the segment's backward returns. The input is never released: the segment saved it.
/// As a segment's last stage (the default) the pass holds the output and its gradient through the backward, as the
/// runtime and the autograd engine do; as an inner stage (<c>inner</c>) the backward starts by disposing the output's
/// handle and backpropagates <c>(output × 1).sum()</c>, so the output gradient is made and consumed inside it, as the
/// next stage's backward hands it over inside a segment (docs/cost-model.md, "Inner stages of a multi-unit recompute
/// segment").
/// </summary>
internal sealed class RecomputeStagePass : IStagePass
{
    private readonly UnitCall _unit;
    private readonly DisposeScope _scope;
    private readonly Tensor _input;
    private readonly bool _inputRequiresGrad;
    private readonly bool _inner;
    private Tensor? _output;
    private Tensor? _outputGrad;

    /// <param name="module">The stage.</param>
    /// <param name="input">The stage's real input; left untouched.</param>
    /// <param name="isBatch">True for the first stage: the batch needs no gradient.</param>
    /// <param name="inner">Measure the backward as an inner stage of a segment runs it.</param>
    public RecomputeStagePass(nn.Module<Tensor, Tensor> module, Tensor input, bool isBatch, bool inner = false)
        : this(UnitCall.Of(module), input, inputRequiresGrad: !isBatch && input.is_floating_point(), inner)
    {
    }

    /// <param name="unit">The unit and how to call it on its first input.</param>
    /// <param name="input">The unit's real (first) input; left untouched.</param>
    /// <param name="inputRequiresGrad">Whether the input needs a gradient in a training step.</param>
    /// <param name="inner">Measure the backward as an inner stage of a segment runs it.</param>
    public RecomputeStagePass(UnitCall unit, Tensor input, bool inputRequiresGrad, bool inner = false)
    {
        _unit = unit;
        _inner = inner;
        _scope = NewDisposeScope();
        _inputRequiresGrad = inputRequiresGrad;
        _input = input.detach();
        if (_inputRequiresGrad) _input.requires_grad_(true);
    }

    public void Forward()
    {
        using var inner = NewDisposeScope();
        if (!_inputRequiresGrad) _output = inner.MoveToOuter(_unit.Run(_input));
        else if (InPlaceInput.Known(_unit.Module)) _output = inner.MoveToOuter(_unit.Run(_input.clone()));
        else
        {
            try
            {
                _output = inner.MoveToOuter(_unit.Run(_input));
            }
            catch (Exception e) when (InPlaceInput.IsLeafInPlaceError(e))
            {
                InPlaceInput.Remember(_unit.Module);
                _output = inner.MoveToOuter(_unit.Run(_input.clone()));
            }
        }
    }

    public long OutputBytes => Output.NumberOfElements * Output.ElementSize;

    public void ReleaseInput() { }

    public bool HasBackward => Output.requires_grad;

    /// <summary>
    /// The output's gradient, laid out as a training step hands it over: contiguous in the output's shape, as the next
    /// stage's backward makes it (and as the kept pass's gradient comes, <see cref="TorchStagePass"/>). Not
    /// <c>ones_like</c>, which keeps the output's strides: a batch-first GRU or LSTM returns a transposed view, and its
    /// backward copies a contiguous gradient into its own layout (one output more at its peak) where a gradient in that
    /// layout costs nothing (docs/cost-model.md, "Saved outputs: a rule on two arcs").
    /// </summary>
    public void PrepareBackward()
    {
        if (_inner)
        {
            // A start that saves only a scalar: the graph holds the output only where the stage saved it.
            using var one = ones(Array.Empty<long>(), dtype: Output.dtype, device: Output.device);
            using var scaled = Output * one;
            _outputGrad = scaled.sum();
        }
        else _outputGrad = ones(Output.shape, dtype: Output.dtype, device: Output.device);
    }

    public void Backward()
    {
        using var inner = NewDisposeScope();
        var inputs = new List<Tensor>();
        if (_inputRequiresGrad) inputs.Add(_input);
        inputs.AddRange(_unit.Module.parameters().Where(p => p.requires_grad));
        if (inputs.Count == 0) return;
        if (_inner)
        {
            // The runtime disposes an inner stage's output handle; what the stage did not save goes now.
            Output.Dispose();
            var start = _outputGrad ?? throw new InvalidOperationException("PrepareBackward first");
            var innerGrads = autograd.grad([start], inputs, allow_unused: true);
            foreach (var g in innerGrads)
                if (g is not null) inner.MoveToOuter(g);
            return;
        }
        var grads = autograd.grad([Output], inputs, [_outputGrad ?? throw new InvalidOperationException("PrepareBackward first")], allow_unused: true);
        foreach (var g in grads)
            if (g is not null) inner.MoveToOuter(g);
    }

    public void Dispose() => _scope.Dispose();

    private Tensor Output => _output ?? throw new InvalidOperationException("Forward first");
}
