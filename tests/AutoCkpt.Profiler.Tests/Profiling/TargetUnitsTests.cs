using AutoCkpt.Formats;
using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Memory;
using AutoCkpt.Profiler.Benchmarking;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using AutoCkpt.Profiler.Torch;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.Profiling;

/// <summary>A Sequential of two Linear+ReLU blocks whose target names the Linear layers as its units.</summary>
internal sealed class NamedUnitsTarget(params string[] units) : ICheckpointTarget
{
    public NamedUnitsTarget() : this("*.0") { }

    public string Name => "named-units";

    public IReadOnlyList<string> Units => units;

    public nn.Module<Tensor, Tensor> CreateModel(Device device) => nn.Sequential(
        ("b0", nn.Sequential(nn.Linear(16, 16), nn.ReLU())),
        ("b1", nn.Sequential(nn.Linear(16, 16), nn.ReLU())));

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) => (randn(batchSize, 16), randn(batchSize, 16));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target);
}

/// <summary><see cref="ICheckpointTarget.Units"/>: the profiler measures those units, the bench applies plans with them, and a run's own patterns win.</summary>
public sealed class TargetUnitsTests
{
    private static Profile Profile(ICheckpointTarget target, ProfileOptions? options = null) =>
        new ModelProfiler(new Meter(new CpuMemoryProbe(), TimeProvider.System))
            .Run(target, CPU, new DeviceInfo("cpu", "test"), options ?? new ProfileOptions(4, Repeats: 1));

    [Fact]
    public void Given_a_target_that_names_its_units_When_profiled_Then_the_profile_measures_those_units_in_place()
    {
        var p = Profile(new NamedUnitsTarget());

        // Without the target's patterns the units are the Sequential's children b0 and b1.
        Assert.Equal(["(before b0.0)", "b0.0", "(after b0.0)", "b1.0", "(after b1.0)"], p.Stages.Select(s => s.Name));
        using var model = new NamedUnitsTarget().CreateModel(CPU);
        Assert.Equal(AutoCkpt.Units.UnitFinder.Find(model, ["*.0"]).Fingerprint, p.Model.Fingerprint);
    }

    [Fact]
    public void Given_a_target_that_names_its_units_When_the_run_gives_patterns_Then_the_runs_win()
    {
        var p = Profile(new NamedUnitsTarget(), new ProfileOptions(4, Repeats: 1) { Units = ["b1"] });

        Assert.Equal(["(before b1)", "b1", "(after b1)"], p.Stages.Select(s => s.Name));
    }

    [Fact]
    public void Given_target_units_that_match_no_module_When_profiled_Then_ACKPT101_names_ICheckpointTarget_Units()
    {
        var e = Assert.Throws<AckptException>(() => Profile(new NamedUnitsTarget("layers.*")));

        Assert.Equal(ErrorCodes.UnitPatternUnmatched, e.Code);
        Assert.StartsWith("ICheckpointTarget.Units: unit pattern 'layers.*'", e.Message);
    }

    [Fact]
    public void Given_a_target_that_names_its_units_When_benched_Then_the_plan_is_applied_with_its_patterns()
    {
        var profile = Profile(new NamedUnitsTarget());
        var plan = new Plan
        {
            Target = profile.Target,
            Model = profile.Model,
            Device = profile.Device,
            BatchSize = 4,
            MemoryCapBytes = 1L << 30,
            Segments = [new Segment(0, 0, SegmentStrategy.Keep), new Segment(1, 1, SegmentStrategy.Recompute), new Segment(2, 2, SegmentStrategy.Keep),
                new Segment(3, 3, SegmentStrategy.Recompute), new Segment(4, 4, SegmentStrategy.Keep)],
            UnitPaths = [.. profile.Stages.Select(s => s.Name)],
        };
        var strategies = new[] { new BenchStrategy("none", [new Segment(0, 4, SegmentStrategy.Keep)]), new BenchStrategy("plan", plan.Segments) };
        var bench = new StrategyBench(ProfilingDevice.Open("cpu"));

        var measured = bench.Run(new NamedUnitsTarget(), plan, strategies, new BenchOptions(4, Steps: 1, Warmups: 0, Trace: false));
        Assert.Equal(["none", "plan"], measured.Strategies.Select(s => s.Name));

        // The bench finds the units with the target's patterns: patterns that match nothing fail there, naming them.
        var e = Assert.Throws<AckptException>(() => bench.Run(new NamedUnitsTarget("layers.*"), plan, strategies, new BenchOptions(4, Steps: 1, Warmups: 0, Trace: false)));
        Assert.Equal(ErrorCodes.UnitPatternUnmatched, e.Code);
        Assert.StartsWith("ICheckpointTarget.Units: ", e.Message);
    }
}
