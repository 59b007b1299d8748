using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.InPlace;

/// <summary>
/// The autograd function that stands for a recomputed run of units. Arguments: the <see cref="GroupCall"/>, the run's
/// saved tensor inputs (each tensor once), then the trainable parameters passed to autograd (<see cref="GroupCall"/>).
/// Its forward returns the run's output, already computed by the units' own forwards, detached; its backward
/// recomputes the units. TorchSharp keeps one instance; per-call state lives in the <see cref="GroupCall"/>.
/// </summary>
internal sealed class UnitFunction : autograd.SingleTensorFunction<UnitFunction>
{
    private const string CallKey = "autockpt.call";

    public override string Name => "AutoCkptRecompute";

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var call = (GroupCall)vars[0];
        ctx.save_data(CallKey, call);
        return call.Forward(ctx);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output) =>
        ((GroupCall)ctx.get_data(CallKey)).Backward(grad_output);
}
