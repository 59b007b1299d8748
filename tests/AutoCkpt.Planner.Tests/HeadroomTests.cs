using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Planner.Tests;

/// <summary>The headroom: the part of the cap a plan leaves free, 2% by default.</summary>
public sealed class HeadroomTests
{
    private static readonly Profile Profile = TestProfiles.Random(new Random(11), 12);

    private static PlanResult Plan(long cap, MemoryCap? headroom = null)
    {
        var request = new PlanRequest { Profile = Profile, Cap = new MemoryCap(cap, null), Solver = PlannerSolver.Exact, ProfileFile = "p.yaml" };
        return CheckpointPlanner.Plan(headroom is null ? request : request with { Headroom = headroom });
    }

    /// <summary>A cap that the optimal plan with no headroom fills exactly.</summary>
    private static long TightCap()
    {
        var model = new StepCostModel(Profile);
        long none = model.PeakBytes(Baselines.None(12)), every = model.PeakBytes(Baselines.EveryStage(12));
        return Plan((none + every) / 2, PlanRequest.NoHeadroom).Plan.Predicted!.PeakBytes;
    }

    [Fact]
    public void Given_no_headroom_option_When_planned_Then_the_plan_leaves_2_percent_of_the_cap_free_and_records_it()
    {
        long cap = TightCap();
        var result = Plan(cap);
        long headroom = (long)Math.Floor(cap * 0.02);
        Assert.Equal((cap, headroom, cap - headroom), (result.Plan.MemoryCapBytes, result.Plan.HeadroomBytes, result.BudgetBytes));
        Assert.InRange(result.Plan.Predicted!.PeakBytes, 0, cap - headroom);
        Assert.All(result.Baselines, b => Assert.Equal(b.Prediction.PeakBytes <= cap - headroom, b.FitsCap));
    }

    [Fact]
    public void Given_a_cap_the_optimum_fills_When_planned_with_and_without_headroom_Then_only_the_plan_without_it_reaches_the_cap()
    {
        long cap = TightCap();
        var without = Plan(cap, PlanRequest.NoHeadroom).Plan;
        var with = Plan(cap, MemoryCap.ParseHeadroom("1MB")).Plan;
        Assert.Equal(cap, without.Predicted!.PeakBytes);
        Assert.Equal(0, without.HeadroomBytes);
        Assert.InRange(with.Predicted!.PeakBytes, 0, cap - 1_000_000);
        Assert.True(with.Predicted.StepSeconds >= without.Predicted.StepSeconds);
    }

    [Fact]
    public void Given_a_headroom_that_takes_the_whole_cap_When_planned_Then_ACKPT041()
    {
        long cap = TightCap();
        var e = Assert.Throws<AckptException>(() => Plan(cap, new MemoryCap(cap, null)));
        Assert.Equal(ErrorCodes.BadCap, e.Code);
        Assert.Contains("leaves nothing of the memory cap", e.Message);
    }

    [Fact]
    public void Given_a_headroom_that_no_plan_fits_under_When_planned_Then_ACKPT040_says_to_lower_it()
    {
        var model = new StepCostModel(Profile);
        long every = model.PeakBytes(Baselines.EveryStage(12));
        var e = Assert.Throws<AckptException>(() => Plan(every, MemoryCap.ParseHeadroom("40%")));
        Assert.Equal(ErrorCodes.InfeasibleCap, e.Code);
        Assert.Contains("less its headroom", e.Message);
        Assert.Contains("lower --headroom", e.Message);
        Assert.Equal("p.yaml", e.File);
    }

    [Theory]
    [InlineData("2%", null, 2.0)]
    [InlineData("0", 0L, null)]
    [InlineData("1 MiB", 1048576L, null)]
    public void Given_headroom_text_When_parsed_Then_bytes_or_a_percentage_of_the_cap(string text, long? bytes, double? percent)
    {
        var h = MemoryCap.ParseHeadroom(text);
        Assert.Equal(bytes, h.Bytes);
        Assert.Equal(percent, h.Percent);
    }

    [Theory]
    [InlineData("100%")]
    [InlineData("-1MB")]
    [InlineData("2 parsecs")]
    public void Given_bad_headroom_text_When_parsed_Then_ACKPT041_names_the_headroom(string text)
    {
        var e = Assert.Throws<AckptException>(() => MemoryCap.ParseHeadroom(text));
        Assert.Equal(ErrorCodes.BadCap, e.Code);
        Assert.Contains("headroom", e.Message);
    }
}
