using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Recompute;

/// <summary>
/// One run of a recompute segment: its forward without autograd, keeping only its input, and its backward, which
/// recomputes with autograd, backpropagates and disposes everything it made.
/// </summary>
internal sealed class SegmentCall
{
    private readonly RecomputeSegment _segment;
    private readonly Tensor[] _parameters;
    private readonly bool[] _passed;
    private autograd.AutogradContext? _ctx;
    private bool _inputRequiresGrad;
    private RngSnapshot? _rng;
    private Tensor? _rawOutput;

    /// <param name="segment">The segment.</param>
    /// <param name="parameters">Every trainable parameter of the model: the recompute differentiates them all.</param>
    /// <param name="passed">Which of them are apply arguments (their gradients go back through autograd).</param>
    public SegmentCall(RecomputeSegment segment, Tensor[] parameters, bool[] passed)
    {
        _segment = segment;
        _parameters = parameters;
        _passed = passed;
    }

    /// <summary>Runs under no-grad (inside apply). Intermediates are disposed stage by stage.</summary>
    public Tensor Forward(autograd.AutogradContext ctx, Tensor input)
    {
        _ctx = ctx;
        _inputRequiresGrad = input.requires_grad;
        ctx.save_for_backward([input]);
        _rng = RngSnapshot.Capture(input.device, _segment.NextCudaSeed);
        _rawOutput = StageChain.RunDisposing(_segment.Stages, input);
        return _rawOutput;
    }

    /// <summary>After apply: drops the second handle to the output and the node's full-size output cache.</summary>
    public void AfterApply(Tensor output)
    {
        _rawOutput?.Dispose();
        _rawOutput = null;
        if (output.requires_grad && _ctx is not null)
            AutogradInternals.ShrinkOutputCache(_ctx);
        else
            Release(); // no node was built: no backward will come
    }

    /// <summary>
    /// Recomputes the segment with autograd from the saved input and the forward's random state, and returns one
    /// gradient per apply argument: none for the call, the input's, then each passed parameter's.
    /// </summary>
    public List<Tensor> Backward(Tensor gradOutput)
    {
        DeferredDisposal.Flush();
        var ctx = _ctx ?? throw new InvalidOperationException(
            "AutoCkpt: backward ran twice through a recomputed segment; retain_graph is not supported with checkpointing.");
        var grads = new List<Tensor>(2 + _parameters.Length) { null! };
        using (var scope = torch.NewDisposeScope())
        {
            IList<Tensor?> result;
            try
            {
                result = Recompute(ctx, gradOutput);
            }
            catch (Exception e)
            {
                // TorchSharp cannot carry an exception out of a custom backward: the process stops with this one.
                throw new InvalidOperationException(
                    $"AutoCkpt: recomputing {_segment.Description} in the backward failed: {e.Message} " +
                    "Stages must run the same way in the recompute as in the forward.", e);
            }
            int k = 0;
            grads.Add(_inputRequiresGrad ? Keep(scope, result[k++]) : null!);
            for (int i = 0; i < _parameters.Length; i++)
            {
                var grad = result[k++];
                if (_passed[i]) grads.Add(Keep(scope, grad));
                else Accumulate(_parameters[i], grad);
            }
        }
        gradOutput.Dispose();
        Release();
        DeferredDisposal.Add(grads);
        return grads;
    }

    private IList<Tensor?> Recompute(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables()[0];
        using var rngNow = RngSnapshot.CaptureNow(saved.device);
        using var buffers = BufferSnapshot.Take(_segment.Buffers());
        _rng!.Restore();
        try
        {
            using (torch.enable_grad())
            {
                var x = saved.detach();
                if (_inputRequiresGrad) x.requires_grad_(true);
                var y = StageChain.RunDisposing(_segment.Stages, x);
                var inputs = new List<Tensor>(1 + _parameters.Length);
                if (_inputRequiresGrad) inputs.Add(x);
                inputs.AddRange(_parameters);
                if (!y.requires_grad)
                    return new Tensor?[inputs.Count];
                return autograd.grad([y], inputs, [gradOutput], retain_graph: false, create_graph: false, allow_unused: true)!;
            }
        }
        finally
        {
            rngNow.Restore();
            buffers.Restore();
        }
    }

    /// <summary>
    /// Adds the gradient of a parameter that is not an apply argument into its <c>.grad</c>, as autograd's accumulation
    /// would; where it has none (set to none between the forward and the backward), autograd accumulates it from a
    /// backward of its own.
    /// </summary>
    private static void Accumulate(Tensor parameter, Tensor? grad)
    {
        if (grad is null || grad.IsInvalid) return;
        using var existing = parameter.grad;
        if (existing is null || existing.IsInvalid)
        {
            parameter.backward([grad]);
            return;
        }
        using (torch.no_grad())
            existing.add_(grad);
    }

    private static Tensor Keep(DisposeScope scope, Tensor? grad) =>
        grad is null || grad.IsInvalid ? null! : scope.MoveToOuter(grad);

    private void Release()
    {
        if (_ctx is not null) AutogradInternals.ReleaseSaved(_ctx);
        _ctx = null;
        _rng?.Dispose();
        _rng = null;
    }
}
