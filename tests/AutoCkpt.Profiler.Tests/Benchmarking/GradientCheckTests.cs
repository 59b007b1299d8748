using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Profiler.Benchmarking;
using AutoCkpt.Profiler.Torch;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.Benchmarking;

/// <summary>A Linear whose output grows with every call: its gradients differ from one identical step to the next.</summary>
internal sealed class DriftingLinear : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Linear linear = nn.Linear(16, 16);
    private int calls;

    public DriftingLinear() : base(nameof(DriftingLinear)) => RegisterComponents();

    public override Tensor forward(Tensor x) => linear.call(x) * (1 + 0.1 * calls++);
}

/// <summary>Two units; with <c>drift</c>, the first drifts (a stand-in for a non-deterministic kernel).</summary>
internal sealed class GradientTarget(bool drift) : ICheckpointTarget
{
    public string Name => "gradient-check";

    public nn.Module<Tensor, Tensor> CreateModel(Device device) => nn.Sequential(
        ("b0", drift ? new DriftingLinear() : nn.Linear(16, 16)),
        ("b1", nn.Sequential(nn.Linear(16, 16), nn.ReLU())));

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) => (randn(batchSize, 16), randn(batchSize, 16));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target);
}

/// <summary>
/// The bench's gradient check: the reference (no checkpointing) is run twice, so a model or device whose plain
/// gradients are not reproducible shows on the reference's own row, and a NaN never reads as agreement.
/// </summary>
public sealed class GradientCheckTests
{
    private static IReadOnlyList<StrategyMeasurement> Bench(bool drift)
    {
        Segment[] every = [new(0, 0, SegmentStrategy.Recompute), new(1, 1, SegmentStrategy.Recompute)];
        var units = Checkpointing.Units(new GradientTarget(drift).CreateModel(CPU));
        var plan = new Plan
        {
            Target = "gradient-check", Model = new Formats.ModelInfo(units.Fingerprint, 2), Device = new Formats.DeviceInfo("cpu", "test"),
            BatchSize = 4, MemoryCapBytes = 1L << 40, Segments = every, UnitPaths = ["b0", "b1"],
        };
        var strategies = new[] { new BenchStrategy("none", [new Segment(0, 1, SegmentStrategy.Keep)]), new BenchStrategy("plan", every) };
        return new StrategyBench(ProfilingDevice.Open("cpu")).Run(new GradientTarget(drift), plan, strategies,
            new BenchOptions(4, Steps: 1, Warmups: 0, Trace: false)).Strategies;
    }

    [Fact]
    public void Given_a_reproducible_model_When_benched_Then_the_reference_and_the_plan_read_0()
    {
        var runs = Bench(drift: false);

        Assert.All(runs, r => Assert.Equal(0.0, r.MaxGradRelDiff));
    }

    [Fact]
    public void Given_a_model_whose_plain_gradients_drift_When_benched_Then_the_reference_row_shows_it()
    {
        var runs = Bench(drift: true);

        // Two plain steps on the same weights, batch and seed differ: the reference's own row says so, where before
        // it read 0 by construction and only the plan's row differed, as if checkpointing were at fault.
        Assert.True(runs[0].MaxGradRelDiff > 0.01, $"none against none: {runs[0].MaxGradRelDiff}");
        Assert.True(runs[1].MaxGradRelDiff > 0.01, $"plan against none: {runs[1].MaxGradRelDiff}");
    }

    [Fact]
    public void Given_a_NaN_in_a_gradient_When_compared_Then_the_difference_is_infinite_not_0()
    {
        using var a = nn.Linear(4, 4);
        using var b = nn.Linear(4, 4);
        foreach (var m in new[] { a, b })
            m.call(ones(2, 4)).sum().backward();
        using (no_grad()) b.weight!.grad!.fill_(double.NaN);
        using var reference = GradientSnapshot.Take(a);
        using var same = GradientSnapshot.Take(a);
        using var nan = GradientSnapshot.Take(b);

        Assert.Equal(0.0, same.MaxRelativeDifference(reference));
        Assert.Equal(double.PositiveInfinity, nan.MaxRelativeDifference(reference));
        Assert.Equal(double.PositiveInfinity, reference.MaxRelativeDifference(nan));
        Assert.Equal(double.PositiveInfinity, nan.MaxRelativeDifference(nan));
    }
}
