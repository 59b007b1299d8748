using AutoCkpt.Formats.Profiles;
using AutoCkpt.Memory;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using AutoCkpt.Profiler.Tests.Fakes;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.Profiling;

/// <summary>
/// <see cref="StepTimeCalibration"/> on a real model and real steps, with a clock the steps advance: a plain step takes
/// a fixed time, a step with every unit recomputed (the runtime's own plan, found on the model) that plus the units'
/// forwards and a cost per segment; the calibration must give back the step and the cost.
/// </summary>
public sealed class StepTimeCalibrationTests
{
    // Three units: forwards 10, 20, 10 ms and backwards 20, 40, 20 ms (Σ = 120 ms).
    private static readonly StageProfile[] Stages =
    [
        new("0", 0.010, 0.020, 4096, 8192, 0, 0),
        new("1", 0.020, 0.040, 4096, 8192, 0, 0),
        new("2", 0.010, 0.020, 4096, 8192, 0, 0),
    ];

    [Theory]
    [InlineData(0.100, 0.003)] // the step shorter than the stages' sum: their forwards scale down by 100/120
    [InlineData(0.150, 0.002)] // longer: the rest is spent outside them, the forwards stand as measured
    public void Given_steps_that_take_known_times_When_calibrated_Then_the_step_and_the_per_segment_cost_come_back(double plain, double perSegment)
    {
        var clock = new FakeClock();
        using var model = nn.Sequential(("0", nn.Linear(8, 8)), ("1", nn.Linear(8, 8)), ("2", nn.Linear(8, 8)));
        var input = randn(4, 8);
        double forwards = 0.040 * Math.Min(1, plain / 0.120);
        void Step()
        {
            nn.functional.mse_loss(model.call(input), zeros(4, 8)).backward();
            clock.Advance(Checkpointing.Applied(model) is null ? plain : plain + forwards + 3 * perSegment);
        }

        var figures = new StepTimeCalibration(new Meter(new CpuMemoryProbe(), clock)).Measure(model, Stages, Step, pairs: 3);

        Assert.NotNull(figures);
        Assert.Equal(plain, figures.StepSeconds, 6);
        Assert.Equal(perSegment, figures.RecomputeSegmentSeconds, 6);
        Assert.Null(Checkpointing.Applied(model)); // the calibration leaves the model as it found it
    }

    [Fact]
    public void Given_recompute_that_costs_less_than_the_forwards_When_calibrated_Then_the_per_segment_cost_is_zero_not_negative()
    {
        var clock = new FakeClock();
        using var model = nn.Sequential(("0", nn.Linear(8, 8)), ("1", nn.Linear(8, 8)), ("2", nn.Linear(8, 8)));
        var input = randn(4, 8);
        void Step()
        {
            nn.functional.mse_loss(model.call(input), zeros(4, 8)).backward();
            clock.Advance(Checkpointing.Applied(model) is null ? 0.120 : 0.130);
        }

        var figures = new StepTimeCalibration(new Meter(new CpuMemoryProbe(), clock)).Measure(model, Stages, Step, pairs: 3);

        Assert.Equal(0, figures!.RecomputeSegmentSeconds);
    }
}
