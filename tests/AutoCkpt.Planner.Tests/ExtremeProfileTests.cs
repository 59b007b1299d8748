using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Drawing;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Planner.Tests;

/// <summary>
/// Profiles with figures at the edges of what a profile file may hold (bytes up to 2⁵⁰, seconds from 5e-324 and 0 to
/// 1e300): the cost model and the planner refuse sums that overflow with a code, and the charts stay finite. The same
/// figures through the command line are tests/AutoCkpt.Cli.Tests/ExtremeProfileTests.cs.
/// </summary>
public sealed class ExtremeProfileTests
{
    private static Profile Stages(long fixedTotal, params StageProfile[] stages) => TestProfiles.Of(fixedTotal, stages);

    private static StageProfile Stage(int i, double seconds, long bytes) =>
        TestProfiles.Stage($"s{i}", seconds, seconds, bytes, bytes, bytes, bytes, bytes / 2, i > 0 ? bytes / 2 : 0);

    [Fact]
    public void Given_byte_counts_whose_sum_overflows_a_long_When_planned_Then_ACKPT045_and_no_negative_peak()
    {
        var profile = Stages(long.MaxValue / 4, [.. Enumerable.Range(0, 8).Select(i => Stage(i, 0.01, long.MaxValue / 8))]);
        var e = Assert.Throws<AckptException>(() => new StepCostModel(profile));
        Assert.Equal(ErrorCodes.ProfileOutOfRange, e.Code);
        var request = new PlanRequest { Profile = profile, Cap = MemoryCap.Parse("60%"), ProfileFile = "p.yaml" };
        var planned = Assert.Throws<AckptException>(() => CheckpointPlanner.Plan(request));
        Assert.Equal((ErrorCodes.ProfileOutOfRange, "p.yaml"), (planned.Code, planned.File));
        Assert.Contains("overflow", planned.Message);
    }

    [Fact]
    public void Given_fixed_memory_whose_parts_overflow_a_long_When_modelled_Then_ACKPT045()
    {
        var profile = TestProfiles.Uniform(4) with { FixedBytes = new FixedBytes(long.MaxValue / 2, long.MaxValue / 2, long.MaxValue / 2, 0) };
        Assert.Equal(ErrorCodes.ProfileOutOfRange, Assert.Throws<AckptException>(() => new StepCostModel(profile)).Code);
    }

    [Fact]
    public void Given_seconds_whose_sum_is_infinite_When_modelled_Then_ACKPT045()
    {
        var profile = Stages(1000, [.. Enumerable.Range(0, 4).Select(i => Stage(i, 1e308, 1000))]);
        Assert.Equal(ErrorCodes.ProfileOutOfRange, Assert.Throws<AckptException>(() => new StepCostModel(profile)).Code);
    }

    [Theory]
    [InlineData(5e-324)]
    [InlineData(0)]
    [InlineData(1e-310)]
    [InlineData(1e300)]
    public async Task Given_seconds_at_the_edges_When_drawn_Then_the_chart_is_finite_svg_with_bounded_ticks(double seconds)
    {
        var profile = Stages(1000, [.. Enumerable.Range(0, 4).Select(i => Stage(i, seconds, 1000 + i))]);
        var model = new StepCostModel(profile);
        var draw = Task.Run(() => StepChart.Render(model, [new("none", Baselines.None(4)), new("plan", Baselines.EveryStage(4), IsPlan: true)], 5000, [], "t"));
        string svg = await draw.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.StartsWith("<svg", svg);
        Assert.DoesNotContain("NaN", svg);
        Assert.DoesNotContain("∞", svg);
        Assert.True(svg.Split("<line").Length < 200, "a bounded number of ticks");
    }

    [Theory]
    [InlineData(5e-324)]
    [InlineData(2.5e-323)] // a fifth of it rounds to 10^-324 = 0: the old step was 0 and the ticks never ended
    [InlineData(1e-310)]
    [InlineData(1e300)]
    [InlineData(double.NaN)]
    [InlineData(0)]
    public void Given_a_value_at_the_edges_When_the_bench_axis_rounds_it_Then_a_positive_round_ceiling_and_at_most_a_dozen_ticks(double v)
    {
        double ceiling = NiceScale.NiceCeiling(v);
        Assert.True(ceiling > 0 && double.IsFinite(ceiling) && (ceiling >= v || double.IsNaN(v)), $"{ceiling}");
        Assert.InRange(NiceScale.Ticks(v).Take(100).Count(), double.IsNaN(v) ? 0 : 1, 12);
    }

    [Fact]
    public void Given_a_denormal_range_When_ticked_Then_the_ends_only_and_no_endless_loop()
    {
        Assert.Equal([0, 5e-324], NiceScale.Ticks(0, 5e-324));
        Assert.Empty(NiceScale.Ticks(0, double.PositiveInfinity));
        Assert.InRange(NiceScale.Ticks(1e18, 1e18 + 1e3).Count(), 1, 12);
    }
}
