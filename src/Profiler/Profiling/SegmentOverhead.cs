using AutoCkpt.Checkpoints;
using AutoCkpt.Profiler.Measuring;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// Measures what one recompute segment costs a step beyond re-running its stages (the profile's
/// <c>segment_overhead_seconds</c>, docs/cost-model.md "Step time"): the runtime's own segment
/// (<see cref="RecomputeSegment"/>, over the whole model's parameters, as a plan runs it) around a stage that only
/// scales a 16-element tensor, forward and backward, against the same stage run plainly; the median difference over
/// interleaved runs. Both sides do the same tensor work, so what is left is the segment's: the autograd function and
/// its managed callbacks, the random state captured and restored, the parameters and their gradients looked up,
/// <c>autograd.grad</c> re-entered from a backward with every parameter as an input, the release of what it made.
/// On a model of many small stages this is a large share of a stage's recompute (docs/benchmarks.md).
/// </summary>
internal static class SegmentOverhead
{
    /// <summary>Interleaved pairs of runs; the median difference counts.</summary>
    public const int Runs = 31;

    /// <summary>Seconds one recompute segment adds, at least 0.</summary>
    public static double Measure(nn.Module<Tensor, Tensor> model, Device device, Meter meter)
    {
        using var probe = new ScaleStage();
        var segment = new RecomputeSegment([new Stage("autockpt.segment-overhead", probe)], new CudaSeeds(torch.initial_seed()).Next, model);
        using var scope = NewDisposeScope();
        using var input = randn(16, device: device);
        // Warm both paths once (first calls JIT-compile the managed side).
        Run(input, x => segment.Run(x));
        Run(input, x => probe.call(x));
        var differences = new List<double>(Runs);
        for (int r = 0; r < Runs; r++)
        {
            double inSegment = meter.Time(() => Run(input, x => segment.Run(x)));
            double plain = meter.Time(() => Run(input, x => probe.call(x)));
            differences.Add(inSegment - plain);
        }
        return Math.Max(0, Median.Of(differences));
    }

    /// <summary>Forward from a fresh non-leaf input that requires grad, as a later stage's input is; backward from (y × 1).sum().</summary>
    private static void Run(Tensor input, Func<Tensor, Tensor> stage)
    {
        using var scope = NewDisposeScope();
        var x = input.detach().requires_grad_(true) * 1;
        var y = stage(x);
        (y * 1).sum().backward();
    }

    /// <summary>y = 2x: a stage with no parameters and next to no work.</summary>
    private sealed class ScaleStage() : nn.Module<Tensor, Tensor>("ScaleStage")
    {
        public override Tensor forward(Tensor x) => x * 2;
    }
}
