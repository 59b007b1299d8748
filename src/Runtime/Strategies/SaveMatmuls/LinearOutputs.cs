using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Strategies.SaveMatmuls;

/// <summary>
/// What save-matmuls does to a unit's <c>Linear</c> layers (docs/selective.md), shared by the runtime's hooks
/// (<see cref="SavedLinears"/>) and the profiler's measurement of the option: find the layers, keep an output, hand a
/// layer an empty batch, and hand the kept output back with the layer's gradients.
/// </summary>
internal static class LinearOutputs
{
    /// <summary>The <c>Linear</c> layers in <paramref name="unit"/>'s module tree, each once.</summary>
    public static IReadOnlyList<Linear> Of(nn.Module unit) => [.. unit.modules().OfType<Linear>().Distinct()];

    /// <summary>A handle of its own to a layer's output: detached and out of every dispose scope (its owner disposes it).</summary>
    public static Tensor Keep(Tensor output) => output.detach().DetachFromDisposeScope();

    /// <summary>The empty batch a layer gets instead of <paramref name="x"/>, or <paramref name="x"/> itself when it has no batch dimension.</summary>
    public static Tensor Empty(Tensor x) => x.dim() < 2 ? x : x.narrow(0, 0, 0);

    /// <summary>
    /// <paramref name="kept"/> as <paramref name="layer"/>'s output of <paramref name="input"/>, with the layer's
    /// gradients (<see cref="SavedLinearFunction"/>); the layer itself, run on <paramref name="input"/>, when the kept
    /// output's shape is not the one it would make (not the forward's call). Disposes <paramref name="kept"/>.
    /// </summary>
    public static Tensor HandBack(Linear layer, Tensor input, Tensor kept)
    {
        var shape = input.shape[..^1].Append(layer.weight!.shape[0]).ToArray();
        if (input.dim() < 2 || !kept.shape.SequenceEqual(shape))
        {
            kept.Dispose();
            return nn.functional.linear(input, layer.weight, layer.bias);
        }
        var result = SavedLinearFunction.Apply(kept, input, layer.weight, layer.bias);
        kept.Dispose(); // apply returns a handle of its own
        return result;
    }

    /// <summary>Runs <paramref name="run"/> with hooks that keep every output of <paramref name="layers"/>, in call order.</summary>
    public static (Tensor Output, List<Tensor> Kept) Capture(IReadOnlyList<Linear> layers, Func<Tensor> run)
    {
        var kept = new List<Tensor>();
        var removers = layers.Select(l => l.register_forward_hook((m, x, y) => { kept.Add(Keep(y)); return y; })).ToList();
        try
        {
            return (run(), kept);
        }
        finally
        {
            foreach (var r in removers) r.remove();
        }
    }

    /// <summary>
    /// Runs <paramref name="run"/> with each call of <paramref name="layers"/> given an empty batch and handed back the
    /// next of <paramref name="kept"/> (consumed: each is disposed once handed back).
    /// </summary>
    public static Tensor Replay(IReadOnlyList<Linear> layers, List<Tensor> kept, Func<Tensor> run)
    {
        int next = 0;
        Tensor? input = null;
        var pres = layers.Select(l => l.register_forward_pre_hook((m, x) =>
        {
            if (next >= kept.Count || x.dim() < 2) return x;
            input = x;
            return Empty(x);
        })).ToList();
        var posts = layers.Select(l => l.register_forward_hook((m, x, y) =>
        {
            if (input is not { } i) return y;
            input = null;
            var k = kept[next];
            kept[next++] = null!;
            return HandBack((Linear)m, i, k);
        })).ToList();
        try
        {
            return run();
        }
        finally
        {
            foreach (var r in pres.Concat(posts)) r.remove();
        }
    }
}
