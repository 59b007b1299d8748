using AutoCkpt.Formats;
using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Profiler.Benchmarking;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using AutoCkpt.Profiler.Torch;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.Profiling;

/// <summary>
/// A wide stage ending in a ReLU, then a narrow one whose Linear saves the same tensor, then a head: the step peaks in
/// the wide stage's backward, which a segment over the first two runs as an inner stage.
/// </summary>
internal sealed class WideReluChainTarget : ICheckpointTarget
{
    public const int W = 256, B = 512;

    public string Name => "wide-relu-chain";

    public TorchSharp.torch.nn.Module<Tensor, Tensor> CreateModel(Device device) => nn.Sequential(
        ("a", nn.Sequential(nn.Linear(W, 8 * W), nn.GELU(), nn.Linear(8 * W, W), nn.ReLU())),
        ("b", nn.Sequential(nn.Linear(W, W), nn.ReLU())),
        ("head", nn.Linear(W, W)));

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) => (randn(batchSize, W), randn(batchSize, W));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target);

    public TorchSharp.torch.optim.Optimizer? CreateOptimizer(TorchSharp.torch.nn.Module model) => TorchSharp.torch.optim.AdamW(model.parameters());
}

/// <summary>
/// The recompute figures of an inner stage of a multi-unit segment (docs/cost-model.md, "Inner stages of a multi-unit
/// recompute segment"): a stage ending in a ReLU, followed in the segment by a Linear, frees its output gradient and its
/// output in its backward's first operations, where the last stage of a segment holds both.
/// </summary>
public sealed class InnerStageFiguresTests
{
    private static readonly Lazy<Profile> Relu = new(() =>
        new ModelProfiler(new Meter(ProfilingDevice.Open("cpu").Probe, TimeProvider.System))
            .Run(new ReluChainTarget(), CPU, new DeviceInfo("cpu", "test"), new ProfileOptions(ReluChainTarget.B, Repeats: 1)));

    /// <summary>The profile as a profiler without the inner figures wrote it.</summary>
    private static Profile WithoutInner(Profile p) => p with
    {
        Stages = [.. p.Stages.Select(s => s with { Recompute = s.Recompute! with { InnerBackwardTransientBytes = null, InnerBackwardFreedBytes = null } })],
    };

    [Fact]
    public void Given_relu_stages_When_profiled_Then_inner_figures_free_the_output_and_its_gradient_early_and_the_last_stage_has_none()
    {
        var s = Relu.Value.Stages;
        long output = s[0].OutputBytes;
        var r = s[0].Recompute!;
        // Both the output gradient and the output go before the backward's peak: two outputs below the last-stage figure.
        Assert.InRange(r.InnerBackwardTransientBytes!.Value, r.BackwardTransientBytes - 2 * output - 8192, r.BackwardTransientBytes - 2 * output + 8192);
        // And after it, both are gone with what the last-stage figures free.
        Assert.InRange(r.InnerBackwardFreedBytes!.Value, r.BackwardFreedBytes + 2 * output - 8192, r.BackwardFreedBytes + 2 * output + 8192);
        Assert.Null(s[^1].Recompute!.InnerBackwardTransientBytes);
    }

    [Fact]
    public void Given_a_segment_over_two_relu_stages_When_benched_Then_the_predicted_peak_is_the_measured_one()
    {
        var profile = new ModelProfiler(new Meter(ProfilingDevice.Open("cpu").Probe, TimeProvider.System))
            .Run(new WideReluChainTarget(), CPU, new DeviceInfo("cpu", "test"), new ProfileOptions(WideReluChainTarget.B, Repeats: 1));
        Segment[] segments = [new(0, 1, SegmentStrategy.Recompute), new(2, 2, SegmentStrategy.Keep)];
        var plan = new Plan
        {
            Target = profile.Target, Model = profile.Model, Device = profile.Device, BatchSize = WideReluChainTarget.B, MemoryCapBytes = 1L << 40,
            Segments = segments, UnitPaths = [.. profile.Stages.Select(s => s.Name)],
        };
        long measured = new StrategyBench(ProfilingDevice.Open("cpu")).Run(new WideReluChainTarget(), plan, [new BenchStrategy("s", segments)],
            new BenchOptions(WideReluChainTarget.B, Steps: 1, Trace: false)).Strategies[0].PeakBytes;
        long predicted = new StepCostModel(profile).PeakBytes(segments);
        long before = new StepCostModel(WithoutInner(profile)).PeakBytes(segments);

        // Without the inner figures the walk held stage a's output and its gradient through a's backward: over by more
        // than one output (the safe side, but a plan that recomputes more than it needs).
        Assert.True(before > measured + profile.Stages[0].OutputBytes, $"measured {measured}, predicted without the inner figures {before}");
        Assert.InRange(measured, predicted - predicted * 3 / 100, predicted + predicted / 100);
    }
}
