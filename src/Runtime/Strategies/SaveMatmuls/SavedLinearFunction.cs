using AutoCkpt.Recompute;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Strategies.SaveMatmuls;

/// <summary>
/// A <c>Linear</c> layer's output kept from the forward, handed back in a save-matmuls recompute as if the layer had
/// run. Arguments: the <see cref="Kept"/> output, the layer's recomputed input x, its weight W and its bias b (or none).
/// The backward is the layer's, in libtorch's own forms (<c>addmm</c>/<c>mm</c> on x flattened to rows, as
/// <c>linear</c> runs): grad_x = grad·W, grad_W = gradᵀ·x, grad_b = grad summed over its leading dimensions as it
/// comes (not over the rows of its contiguous copy: a transposed gradient, as an MLP-Mixer's token Linear gets, then
/// summed in another order, off by 7e-7). TorchSharp keeps one instance;
/// per-call state lives in the context.
/// </summary>
internal sealed class SavedLinearFunction : autograd.SingleTensorFunction<SavedLinearFunction>
{
    private const string NeedsKey = "autockpt.needs";

    public override string Name => "AutoCkptSavedLinear";

    /// <summary>The kept output, passed to apply as an object so that the function's forward can return it.</summary>
    public sealed class Kept(Tensor output)
    {
        public Tensor Output { get; } = output;
    }

    /// <summary>The context of the forward that ran last on this thread, read by <see cref="Apply"/> once apply returns.</summary>
    [ThreadStatic]
    private static autograd.AutogradContext? _lastContext;

    /// <summary>
    /// Returns <paramref name="output"/> as the layer's output of <paramref name="x"/>, with the layer's gradients. The
    /// node's cache of <c>empty_like(output)</c> is shrunk (<see cref="AutogradInternals.ShrinkOutputCache"/>): held
    /// until the node goes, it was a second copy of every kept output through the recompute and its backward.
    /// </summary>
    public static Tensor Apply(Tensor output, Tensor x, Tensor weight, Tensor? bias)
    {
        _lastContext = null;
        var result = bias is null ? apply(new Kept(output), x, weight) : apply(new Kept(output), x, weight, bias);
        if (_lastContext is { } ctx && result.requires_grad) AutogradInternals.ShrinkOutputCache(ctx);
        _lastContext = null;
        return result;
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        _lastContext = ctx;
        var x = (Tensor)vars[1];
        var w = (Tensor)vars[2];
        var b = vars.Length > 3 ? (Tensor)vars[3] : null;
        ctx.save_for_backward([x, w]);
        ctx.save_data(NeedsKey, new[] { x.requires_grad, w.requires_grad, b is not null && b.requires_grad, b is not null });
        return ((Kept)vars[0]).Output;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        // The gradients the previous layer's backward returned, autograd has taken by now: free them, as a built-in
        // node's are, rather than at the segment's end (they held the unit's weight-gradient sizes through its backward).
        DeferredDisposal.Flush();
        var needs = (bool[])ctx.get_data(NeedsKey);
        var saved = ctx.get_saved_variables();
        Tensor x = saved[0], w = saved[1];
        var grads = new List<Tensor> { null!, null!, null! };
        if (needs[3]) grads.Add(null!);
        using (var scope = torch.NewDisposeScope())
        {
            var g = grad_output.reshape(-1, w.shape[0]);
            if (needs[0]) grads[1] = scope.MoveToOuter(g.mm(w).view(x.shape));
            if (needs[1]) grads[2] = scope.MoveToOuter(g.t().mm(x.reshape(-1, w.shape[1])));
            if (needs[2]) grads[3] = scope.MoveToOuter(grad_output.sum([.. Enumerable.Range(0, (int)grad_output.dim() - 1).Select(d => (long)d)]));
        }
        grad_output.Dispose();
        AutogradInternals.ReleaseSaved(ctx);
        DeferredDisposal.Add(grads);
        return grads;
    }
}
