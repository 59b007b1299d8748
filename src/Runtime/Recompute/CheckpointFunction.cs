using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Recompute;

/// <summary>
/// The autograd function behind a recompute segment. Arguments: the <see cref="SegmentCall"/>, the segment's input,
/// then every parameter of the model that requires grad (<see cref="RecomputeSegment"/>), so that a node is built, and
/// parameter gradients flow, even when the input does not require grad (facts §3), and a parameter that a stage reads
/// but another stage owns gets its gradient too. TorchSharp keeps one instance; per-call state lives in the
/// <see cref="SegmentCall"/>, reached through the context.
/// </summary>
internal sealed class CheckpointFunction : autograd.SingleTensorFunction<CheckpointFunction>
{
    private const string CallKey = "autockpt.call";

    public override string Name => "AutoCkptCheckpoint";

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var call = (SegmentCall)vars[0];
        ctx.save_data(CallKey, call);
        return call.Forward(ctx, (Tensor)vars[1]);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var call = (SegmentCall)ctx.get_data(CallKey);
        return call.Backward(grad_output);
    }
}
