using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Planner.Tests;

public sealed class BaselinesTests
{
    private static string Describe(IReadOnlyList<Segment> s) => string.Join(" ", s.Select(x => $"{x.First}-{x.Last}{(x.Strategy == SegmentStrategy.Recompute ? "R" : "K")}"));

    [Fact]
    public void Given_ten_stages_When_uniform_3_Then_it_is_checkpoint_sequential_two_recomputed_segments_of_three_and_the_rest_kept() =>
        Assert.Equal("0-2R 3-5R 6-9K", Describe(Baselines.Uniform(10, 3)));

    [Fact]
    public void Given_any_chain_When_uniform_1_Then_it_is_no_checkpointing() =>
        Assert.Equal(Describe(Baselines.None(7)), Describe(Baselines.Uniform(7, 1)));

    [Fact]
    public void Given_five_stages_When_every_stage_Then_each_stage_is_recomputed_alone_the_last_too() =>
        Assert.Equal("0-0R 1-1R 2-2R 3-3R 4-4R", Describe(Baselines.EveryStage(5)));

    [Fact]
    public void Given_ten_stages_When_sqrt_n_Then_four_balanced_segments_all_recomputed_but_the_last() =>
        Assert.Equal("0-2R 3-5R 6-7R 8-9K", Describe(Baselines.SqrtN(10)));

    [Fact]
    public void Given_a_long_chain_When_listing_uniform_k_Then_a_geometric_range_up_to_n() =>
        Assert.Equal([2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 100], Baselines.ListedUniformKs(100));

    [Fact]
    public void Given_a_plan_When_made_Then_it_lists_the_fixed_baseline_names_scored_by_the_same_cost_model()
    {
        var profile = TestProfiles.Random(new Random(3), 6);
        var result = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = MemoryCap.Parse("100%"), Solver = PlannerSolver.Exact });
        Assert.Equal(["none", "tidy", "every_stage", "uniform_2", "uniform_3", "uniform_4", "uniform_5", "uniform_6", "sqrt_n"], result.Plan.Baselines.Select(b => b.Name));
        var plain = new StepCostModel(profile);
        var tidy = TidyCosts.Model(profile, NoTidyPatterns.Empty);
        foreach (var b in result.Plan.Baselines)
        {
            var p = (b.Name == "none" ? plain : tidy).Predict(Baselines.ByName(b.Name, 6)!);
            Assert.Equal(p.PeakBytes, b.PeakBytes);
            Assert.Equal(p.StepSeconds, b.StepSeconds);
        }
    }

    [Fact]
    public void Given_a_cap_When_the_best_uniform_is_chosen_Then_it_fits_and_no_fitting_k_is_faster()
    {
        var model = new StepCostModel(TestProfiles.Uniform(12));
        long cap = model.PeakBytes(Baselines.Uniform(12, 4));
        var (name, best) = Baselines.BestUniform(model, cap)!.Value;
        Assert.True(best.PeakBytes <= cap);
        for (int k = 1; k <= 12; k++)
        {
            var p = model.Predict(Baselines.Uniform(12, k));
            if (p.PeakBytes <= cap) Assert.True(best.StepSeconds <= p.StepSeconds, $"{name} is slower than uniform_{k}");
        }
    }

    [Fact]
    public void Given_the_optimal_plan_When_compared_with_every_baseline_that_fits_Then_it_is_never_slower()
    {
        var profile = TestProfiles.Random(new Random(11), 9);
        var result = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = MemoryCap.Parse("70%"), Solver = PlannerSolver.Exact });
        foreach (var b in result.Baselines.Where(b => b.FitsCap))
            Assert.True(result.Plan.Predicted!.StepSeconds <= b.Prediction.StepSeconds, b.Name);
    }
}
