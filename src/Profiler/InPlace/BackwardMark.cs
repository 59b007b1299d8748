using AutoCkpt.Recompute;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.InPlace;

/// <summary>
/// An identity autograd function whose backward calls back: TorchSharp 0.107 has no backward hooks (facts §8), so the
/// profiler places one on a unit's output (its backward starts when the unit's backward is about to start) and on each
/// of its inputs that require grad (its backward runs once the unit's backward has made that input's gradient).
/// <para>
/// Its forward returns <c>input.detach()</c>: a new tensor on the same storage, no bytes, and not a view, so a unit whose
/// forward begins with an in-place op (<c>ReLU(inplace: true)</c>) runs on it as on its real input (a view made inside
/// a custom function may not be modified in place). Autograd's per-output cache (<c>empty_like(output)</c>) is shrunk
/// right after <see cref="Apply"/> to one element. The backward passes the gradient on unchanged; its handle is
/// disposed at the next mark (the runtime's <c>DeferredDisposal</c>), so a mark never frees or keeps memory for long.
/// </para>
/// </summary>
internal sealed class BackwardMark : autograd.SingleTensorFunction<BackwardMark>
{
    private const string CallbackKey = "autockpt.mark";

    [ThreadStatic]
    private static autograd.AutogradContext? _last;

    public override string Name => "AutoCkptProfileMark";

    /// <summary>
    /// <paramref name="input"/> unchanged for autograd, with <paramref name="onBackward"/> run when its gradient passes
    /// back; the input itself when it does not require grad (no node would be built).
    /// </summary>
    public static Tensor Apply(Tensor input, Action onBackward)
    {
        if (!input.requires_grad || !is_grad_enabled()) return input;
        _last = null;
        var output = apply(onBackward, input);
        if (_last is { } ctx) AutogradInternals.ShrinkOutputCache(ctx);
        _last = null;
        return output;
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        ctx.save_data(CallbackKey, vars[0]);
        _last = ctx;
        return ((Tensor)vars[1]).detach();
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        DeferredDisposal.Flush();
        ((Action)ctx.get_data(CallbackKey))();
        DeferredDisposal.Add([grad_output]);
        return [null!, grad_output];
    }
}
