using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// A stage pass on real tensors, in the runtime's stage chain setting (docs/cost-model.md). The input is the stage's
/// real input: for the first stage the batch itself (never disposed); for a later stage a fresh copy that, like a
/// previous stage's output, is a non-leaf owned only by its handle and by what autograd saves, so releasing the
/// handle frees it exactly when the stage did not keep it. Then the forward with autograd, and the backward from an
/// output gradient of ones that autograd owns, as in the chain, where it is the next stage's input gradient: the
/// backward starts from (output × 1).sum(), so the gradient is made inside the backward and freed as soon as the
/// stage's first operation has consumed it. A handle held on it would keep it to the end of the backward: O bytes
/// more than a training step holds (ResNet, CPU: 2 MiB over-predicted at the first-level blocks). For the last stage, given the loss, the forward goes on through the loss and the backward
/// starts from it, as in a training step (docs/cost-model.md: the loss's saved tensors and the gradients it makes,
/// e.g. the log-softmax of a language model's logits, belong to the last stage). Everything lives in one dispose
/// scope until the pass is disposed.
/// </summary>
internal sealed class TorchStagePass : IStagePass
{
    private readonly UnitCall _unit;
    private readonly DisposeScope _scope;
    private readonly bool _ownsInput;
    private Tensor? _input;
    private Tensor? _output;
    private Tensor? _backwardStart;
    private readonly Func<Tensor, Tensor>? _loss;
    private Tensor? _lossValue;
    private readonly bool _tidy;

    /// <param name="module">The stage.</param>
    /// <param name="input">The stage's real input; left untouched.</param>
    /// <param name="isBatch">True for the first stage: the input is the batch, used as it is and never released.</param>
    /// <param name="loss">For the last stage: the training loss of its output; null for the other stages.</param>
    /// <param name="tidy">Run the stage tidy, as a tidy kept unit runs (<c>Checkpointing.RunTidy</c>); the loss stays outside.</param>
    public TorchStagePass(nn.Module<Tensor, Tensor> module, Tensor input, bool isBatch, Func<Tensor, Tensor>? loss = null, bool tidy = false)
        : this(UnitCall.Of(module), input, isBatch ? PassInput.Batch : PassInput.Chained, loss, tidy)
    {
    }

    /// <param name="unit">The unit and how to call it on its first input.</param>
    /// <param name="input">The unit's real (first) input; left untouched.</param>
    /// <param name="role">What the input is in a training step: the batch, or a chained stage's or a unit's input.</param>
    /// <param name="loss">For the last stage: the training loss of its output; null for the other stages.</param>
    /// <param name="tidy">Run the unit tidy, as a tidy kept unit runs; the loss stays outside.</param>
    public TorchStagePass(UnitCall unit, Tensor input, PassInput role, Func<Tensor, Tensor>? loss = null, bool tidy = false)
    {
        _unit = unit;
        _loss = loss;
        _tidy = tidy;
        _scope = NewDisposeScope();
        _ownsInput = role == PassInput.Chained;
        if (role == PassInput.Batch)
            _input = input.detach();
        else if (input.is_floating_point())
            _input = input.detach().requires_grad_(true).clone(); // a non-leaf: no AccumulateGrad node holds it
        else
            _input = input.clone();
    }

    public void Forward()
    {
        var input = _input ?? throw new InvalidOperationException("the input was released");
        _output = _tidy ? _unit.RunTidy(input) : _unit.Run(input);
        if (_loss is not null && _output.requires_grad) _lossValue = _loss(_output);
    }

    public long OutputBytes => Output.NumberOfElements * Output.ElementSize;

    public void ReleaseInput()
    {
        if (!_ownsInput || _input is null || ReferenceEquals(_input, _output)) return;
        _input.Dispose();
        _input = null;
    }

    public bool HasBackward => Output.requires_grad;

    public void PrepareBackward()
    {
        if (_lossValue is not null) return;
        using var one = ones(Array.Empty<long>(), dtype: Output.dtype, device: Output.device);
        using var scaled = Output * one; // not saved by the sum: released here, so only autograd holds the gradient
        _backwardStart = scaled.sum();
    }

    public void Backward()
    {
        if (_lossValue is not null) _lossValue.backward();
        else (_backwardStart ?? throw new InvalidOperationException("PrepareBackward first")).backward();
    }

    public void Dispose() => _scope.Dispose();

    private Tensor Output => _output ?? throw new InvalidOperationException("Forward first");
}
