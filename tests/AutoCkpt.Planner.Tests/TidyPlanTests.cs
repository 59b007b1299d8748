using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Planner.Tests;

/// <summary>The planner counts kept stages tidy where the profile and the no-tidy patterns allow, and says so in the plan.</summary>
public sealed class TidyPlanTests
{
    /// <summary>Four stages of 10 MB retained plainly, of which autograd saves 4 MB (tidy figures given).</summary>
    private static Profile Profile(bool lastAllowed = true) => TestProfiles.Of(100_000_000,
        [.. Enumerable.Range(0, 4).Select(i => TestProfiles.Stage($"blocks.{i}", 0.01, 0.02, 1_000_000, 10_000_000, 2_000_000, 3_000_000, 8_000_000, i > 0 ? 1_000_000 : 0) with
        {
            Tidy = new TidyFigures(4_000_000, 8_000_000, 3_000_000, 2_000_000),
            Recompute = new RecomputeFigures(4_000_000, 3_000_000, 2_000_000),
            TidyAllowed = i < 3 || lastAllowed,
        })]);

    private static PlanResult Plan(Profile profile, string cap = "100%", string? noTidy = null) =>
        CheckpointPlanner.Plan(new PlanRequest
        {
            Profile = profile,
            Cap = MemoryCap.Parse(cap),
            Solver = PlannerSolver.Exact,
            NoTidy = noTidy is null ? NoTidyPatterns.Empty : NoTidyPatterns.Parse([noTidy]),
        });

    [Fact]
    public void Given_tidy_figures_When_planned_at_the_none_peak_Then_nothing_is_recomputed_every_unit_is_tidy_and_the_peak_is_the_tidy_baseline()
    {
        var result = Plan(Profile());
        var plan = result.Plan;
        Assert.All(plan.Segments, s => Assert.Equal(SegmentStrategy.Keep, s.Strategy));
        Assert.Equal([true, true, true, true], plan.TidyUnits);
        Assert.Equal(["blocks.0", "blocks.1", "blocks.2", "blocks.3"], plan.UnitPaths);
        var none = plan.Baselines.Single(b => b.Name == "none");
        var tidy = plan.Baselines.Single(b => b.Name == "tidy");
        Assert.Equal(tidy.PeakBytes, plan.Predicted!.PeakBytes);
        Assert.Equal(result.TidyPeakBytes, tidy.PeakBytes);
        Assert.Equal(result.NoCheckpointingPeakBytes, none.PeakBytes);
        Assert.True(tidy.PeakBytes < none.PeakBytes, $"tidy {tidy.PeakBytes} should be under none {none.PeakBytes}");
        Assert.Equal(none.StepSeconds, tidy.StepSeconds);
    }

    [Fact]
    public void Given_a_cap_under_the_none_peak_that_tidy_meets_When_planned_Then_tidy_alone_fits_with_no_recompute()
    {
        var profile = Profile();
        var plain = new StepCostModel(profile);
        var tidy = TidyCosts.Model(profile, NoTidyPatterns.Empty);
        long tidyPeak = tidy.PeakBytes(Baselines.None(4));
        Assert.True(tidyPeak < plain.PeakBytes(Baselines.None(4)));
        var result = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = new MemoryCap(tidyPeak, null), Headroom = PlanRequest.NoHeadroom, Solver = PlannerSolver.Exact });
        Assert.Equal(0, result.Plan.Predicted!.RecomputeSeconds);
        Assert.Equal(4, result.Plan.TidyCount);
    }

    [Theory]
    [InlineData("blocks.1", "True,False,True,True")]
    [InlineData("blocks", "False,False,False,False")]
    [InlineData("*", "False,False,False,False")]
    public void Given_no_tidy_patterns_When_planned_Then_the_units_they_name_are_not_tidy(string noTidy, string tidy)
    {
        var result = Plan(Profile(), noTidy: noTidy);
        Assert.Equal(tidy, string.Join(',', result.Plan.TidyUnits));
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Given_a_profile_whose_unit_is_opted_out_in_code_When_planned_Then_that_unit_is_not_tidy_and_costs_its_plain_figures()
    {
        var result = Plan(Profile(lastAllowed: false));
        Assert.Equal([true, true, true, false], result.Plan.TidyUnits);
        var allowed = TidyCosts.Allowed(Profile(lastAllowed: false), NoTidyPatterns.Empty);
        Assert.Equal(10_000_000, TidyCosts.Apply(Profile(lastAllowed: false), allowed).Stages[3].RetainedBytes);
    }

    [Fact]
    public void Given_tidy_figures_whose_forward_peak_reads_under_the_plain_one_When_made_tidy_Then_the_forward_peaks_as_high_as_the_plain_stage()
    {
        var profile = Profile() with { Stages = [.. Profile().Stages.Select(s => s with { Tidy = s.Tidy! with { ForwardTransientBytes = 0 } })] };
        var tidy = TidyCosts.Apply(profile, [true, true, true, true]).Stages[1];
        Assert.Equal(4_000_000, tidy.RetainedBytes);
        Assert.Equal(10_000_000 + 2_000_000, tidy.RetainedBytes + tidy.ForwardTransientBytes);
    }

    [Fact]
    public void Given_a_pattern_that_matches_no_unit_When_planned_Then_warning_ACKPT047_names_it()
    {
        var warning = Assert.Single(Plan(Profile(), noTidy: "head").Warnings);
        Assert.Equal(ErrorCodes.NoTidyPatternUnused, warning.Code);
        Assert.Contains("'head'", warning.Message);
    }

    [Fact]
    public void Given_only_recompute_figures_When_made_tidy_Then_kept_stages_cost_what_autograd_saved_but_the_last_stays_plain()
    {
        var profile = Profile() with { Stages = [.. Profile().Stages.Select(s => s with { Tidy = null })] };
        var tidy = TidyCosts.Apply(profile, [true, true, true, true]).Stages;
        Assert.Equal(4_000_000, tidy[0].RetainedBytes);
        Assert.Equal(10_000_000 + 2_000_000, tidy[0].RetainedBytes + tidy[0].ForwardTransientBytes); // the forward peak is kept
        Assert.Equal(3_000_000, tidy[0].BackwardTransientBytes);
        Assert.Equal(2_000_000, tidy[0].BackwardFreedBytes);
        Assert.Equal(profile.Stages[3], tidy[3]); // the recompute figures lack what the loss saves
    }

    [Fact]
    public void Given_a_tidy_plan_When_written_and_read_Then_it_is_format_2_with_its_tidy_units()
    {
        var plan = Plan(Profile(), cap: "90%").Plan;
        var back = PlanFile.Parse(PlanFile.Format(plan), "p.yaml");
        Assert.Equal(Formats.Plans.Plan.FormatTag, back.Format);
        Assert.Equal(plan.Segments, back.Segments);
        Assert.Equal(plan.TidyUnits, back.TidyUnits);
    }
}
