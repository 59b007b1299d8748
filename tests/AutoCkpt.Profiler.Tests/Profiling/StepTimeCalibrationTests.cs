using AutoCkpt.Formats.Plans;
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
/// a fixed time, a step that recomputes (the runtime's own plan, found on the model: every unit alone, or the units in
/// one segment) that plus the units' forwards, a cost per segment and a cost per unit; the calibration must give back
/// the step and both costs. And the split of the two costs on its own (<see cref="StepTimeCalibration.Split"/>).
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
    [InlineData(0.100, 0.003, 0.001)] // the step shorter than the stages' sum: their forwards scale down by 100/120
    [InlineData(0.150, 0.002, 0.0005)] // longer: the rest is spent outside them, the forwards stand as measured
    [InlineData(0.100, 0.003, 0)] // the whole cost per segment
    [InlineData(0.100, 0, 0.002)] // the whole cost per unit
    public void Given_steps_that_take_known_times_When_calibrated_Then_the_step_and_the_costs_per_segment_and_per_unit_come_back(double plain, double perSegment, double perUnit)
    {
        var clock = new FakeClock();
        using var model = nn.Sequential(("0", nn.Linear(8, 8)), ("1", nn.Linear(8, 8)), ("2", nn.Linear(8, 8)));
        var input = randn(4, 8);
        double forwards = 0.040 * Math.Min(1, plain / 0.120);
        var seen = new HashSet<int>();
        void Step()
        {
            nn.functional.mse_loss(model.call(input), zeros(4, 8)).backward();
            int segments = Checkpointing.Applied(model)?.Segments.Count(s => s.Strategy.Recomputes) ?? 0;
            seen.Add(segments);
            clock.Advance(segments == 0 ? plain : plain + forwards + segments * perSegment + 3 * perUnit);
        }

        var figures = new StepTimeCalibration(new Meter(new CpuMemoryProbe(), clock)).Measure(model, Stages, Step, pairs: 3);

        Assert.NotNull(figures);
        Assert.Equal([0, 1, 3], seen.Order()); // no plan, the three units in one segment, each alone
        Assert.Equal(plain, figures.StepSeconds, 6);
        Assert.Equal(perSegment, figures.RecomputeSegmentSeconds, 6);
        Assert.Equal(perUnit, figures.RecomputeUnitSeconds, 6);
        Assert.Null(Checkpointing.Applied(model)); // the calibration leaves the model as it found it
    }

    [Fact]
    public void Given_a_unit_the_runtime_may_not_recompute_When_calibrated_Then_it_is_kept_and_the_others_are_measured()
    {
        var clock = new FakeClock();
        using var model = nn.Sequential(("0", nn.Linear(8, 8)), ("1", nn.Linear(8, 8)), ("2", nn.Linear(8, 8)));
        var input = randn(4, 8);
        StageProfile[] stages = [Stages[0], Stages[1] with { RecomputeAllowed = false }, Stages[2]];
        void Step()
        {
            nn.functional.mse_loss(model.call(input), zeros(4, 8)).backward();
            var applied = Checkpointing.Applied(model);
            Assert.True(applied is null || !applied.Segments.Any(s => s.Strategy.Recomputes && s.First <= 1 && s.Last >= 1));
            clock.Advance(applied is null ? 0.100 : 0.100 + 0.020 * 100 / 120.0 + 2 * 0.003);
        }

        var figures = new StepTimeCalibration(new Meter(new CpuMemoryProbe(), clock)).Measure(model, stages, Step, pairs: 3);

        // Units 0 and 2 are runs of one: the two plans are the same, so the whole cost is counted per segment.
        Assert.Equal(0.003, figures!.RecomputeSegmentSeconds, 6);
        Assert.Equal(0, figures.RecomputeUnitSeconds);
    }

    [Fact]
    public void Given_a_profile_of_units_in_place_with_entries_before_and_after_them_When_its_units_are_matched_Then_they_are_matched_by_name()
    {
        using var model = nn.Sequential(("0", nn.Linear(8, 8)), ("1", nn.Linear(8, 8)), ("2", nn.Linear(8, 8)));
        StageProfile[] entries =
        [
            Stages[0] with { Name = "(before 0)", RecomputeAllowed = false }, Stages[0], Stages[1] with { RecomputeAllowed = false },
            Stages[2], Stages[2] with { Name = "(after 2)", RecomputeAllowed = false },
        ];

        var recomputable = StepTimeCalibration.Recomputable(Checkpointing.Units(model), entries);

        Assert.Equal([true, false, true], recomputable);
        Assert.Equal([new Segment(0, 0, SegmentStrategy.Recompute), new Segment(1, 1, SegmentStrategy.Keep), new Segment(2, 2, SegmentStrategy.Recompute)], StepTimeCalibration.Runs(recomputable));
        Assert.Equal(3, StepTimeCalibration.Runs([true, true, false, true, true]).Count);
    }

    [Theory]
    [InlineData(10, 10, 4, 4, 10)] // 10 segments over 10 units cost 10, 4 segments 4: all per segment
    [InlineData(10, 10, 10, 4, 10)] // both cost 10: all per unit
    [InlineData(10, 10, 12, 4, 10)] // the runs plan costs more than every unit alone: the per-unit fit, per segment 0
    [InlineData(-5, 10, -7, 4, 10)] // both below the forwards: nothing
    public void Given_two_plans_costs_When_split_Then_both_parts_are_at_least_zero_and_fit_the_plans(double alone, int segmentsAlone, double runs, int segmentsRuns, int units)
    {
        var (perSegment, perUnit) = StepTimeCalibration.Split(alone, segmentsAlone, runs, segmentsRuns, units);
        Assert.True(perSegment >= 0 && perUnit >= 0);
        if (alone >= runs && runs >= 0 && segmentsRuns * (alone - runs) / (segmentsAlone - segmentsRuns) <= runs)
        {
            Assert.Equal(alone, segmentsAlone * perSegment + units * perUnit, 9);
            Assert.Equal(runs, segmentsRuns * perSegment + units * perUnit, 9);
        }
        else if (alone < 0 && runs < 0) Assert.Equal((0.0, 0.0), (perSegment, perUnit));
        else Assert.Equal(0, perSegment); // the runs plan costs more: nothing is per segment
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
