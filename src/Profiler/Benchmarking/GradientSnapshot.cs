using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Benchmarking;

/// <summary>A copy, on the CPU in float64, of every parameter's gradient after one step.</summary>
internal sealed class GradientSnapshot : IDisposable
{
    private readonly List<(string Name, Tensor? Grad)> _grads;

    private GradientSnapshot(List<(string, Tensor?)> grads) => _grads = grads;

    /// <summary>Copies the gradients of <paramref name="model"/>'s parameters (null where a parameter has none).</summary>
    public static GradientSnapshot Take(nn.Module model)
    {
        var grads = new List<(string, Tensor?)>();
        foreach (var (name, p) in model.named_parameters())
        {
            var g = p.grad;
            grads.Add((name, g is null ? null : g.detach().to(float64, CPU, copy: true).DetachFromDisposeScope()));
        }
        return new GradientSnapshot(grads);
    }

    /// <summary>
    /// max over parameters of max|g − g_ref| / max|g_ref| (the absolute difference where the reference is all zero).
    /// A parameter that has a gradient in one snapshot and none in the other counts as 1 (completely different); a NaN or
    /// an infinity in either makes the whole difference +∞.
    /// </summary>
    public double MaxRelativeDifference(GradientSnapshot reference)
    {
        if (reference._grads.Count != _grads.Count)
            throw new InvalidOperationException("the snapshots come from models with different parameters.");
        double worst = 0;
        for (int i = 0; i < _grads.Count; i++)
        {
            var (mine, theirs) = (_grads[i].Grad, reference._grads[i].Grad);
            if (mine is null && theirs is null) continue;
            if (mine is null || theirs is null) { worst = Math.Max(worst, 1); continue; }
            using var scope = NewDisposeScope();
            double diff = (mine - theirs).abs().max().item<double>();
            double scale = theirs.abs().max().item<double>();
            // A NaN or an infinity in either gradient is no agreement: NaN compares false with any tolerance, so it
            // would pass a check as "no difference" (a model on this repo's CPU VM did: docs/reliability.md).
            if (!double.IsFinite(diff) || !double.IsFinite(scale)) return double.PositiveInfinity;
            worst = Math.Max(worst, scale > 0 ? diff / scale : diff);
        }
        return worst;
    }

    public void Dispose()
    {
        foreach (var (_, g) in _grads) g?.Dispose();
    }
}
