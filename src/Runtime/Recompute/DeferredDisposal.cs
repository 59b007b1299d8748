using static TorchSharp.torch;

namespace AutoCkpt.Recompute;

/// <summary>
/// Gradients a checkpoint's backward returns to autograd. TorchSharp hands autograd a copy of each handle, so the
/// managed handles would keep the gradient memory alive until the step's dispose scope ends; they cannot be
/// disposed before backward returns. They are disposed at the next backward or forward on the same thread,
/// by which time autograd has consumed them. Until then a segment's input gradient stays live through the backward of
/// the kept units before it, which the cost model does not count yet (measured: up to one unit output over the
/// prediction; docs/cost-model.md, "A recompute segment's input gradient held to the next recompute").
/// </summary>
internal static class DeferredDisposal
{
    [ThreadStatic]
    private static List<Tensor>? _pending;

    public static void Add(IEnumerable<Tensor?> tensors)
    {
        _pending ??= [];
        foreach (var t in tensors)
            if (t is not null)
                _pending.Add(t);
    }

    public static void Flush()
    {
        if (_pending is not { Count: > 0 } pending) return;
        foreach (var t in pending)
            t.Dispose();
        pending.Clear();
    }
}
