using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Planner.Tests.Strategies.SubModule;

/// <summary>Kept units recomputing a sub-module (docs/selective.md) in the cost model's walk and in the plans the planner makes.</summary>
public sealed class SubModuleStrategyTests
{
    /// <summary>
    /// Eight identical units (retaining 8 MB, 10 ms forward, not tidy) whose attention, recomputed, leaves 3 MB kept for
    /// 3 ms, and whose mlp leaves 6 MB for 4 ms.
    /// </summary>
    private static Profile WithSubModules(double attnSeconds = 0.003) =>
        TestProfiles.Uniform(8) is var p
            ? p with
            {
                Stages = [.. p.Stages.Select(s => s with
                {
                    TidyAllowed = false,
                    SubModules = [new SubModuleFigures("attn", 3_000_000, 2_000_000, 4_000_000, -1_000_000, attnSeconds), new SubModuleFigures("mlp", 6_000_000, 2_000_000, 3_000_000, -1_000_000, 0.004)],
                })],
            }
            : throw new InvalidOperationException();

    [Fact]
    public void Given_a_unit_recomputing_its_attention_When_walked_Then_it_holds_what_the_profile_measured_and_costs_the_attentions_recompute()
    {
        var model = new StepCostModel(WithSubModules());
        var sub = new List<Segment> { new(0, 0, SegmentStrategy.Keep), new(1, 1, SegmentStrategy.SubModule) { Option = "attn" }, new(2, 7, SegmentStrategy.Keep) };
        var kept = new List<Segment> { new(0, 7, SegmentStrategy.Keep) };
        long AfterForward(List<Segment> plan) => model.Series(plan).Last(x => x.Phase == StepPhase.Forward && x.Stage == 1 && !x.IsTransientPeak).Bytes;
        Assert.Equal(8_000_000 - 3_000_000, AfterForward(kept) - AfterForward(sub));
        Assert.Equal(0.003, model.RecomputeSeconds(sub), 12);
        Assert.Equal(0, model.RecomputeSeconds(kept));
        Assert.Equal(model.Series(kept)[^1].Bytes, model.Series(sub)[^1].Bytes); // the step ends where it started
    }

    [Fact]
    public void Given_a_plan_naming_a_sub_module_the_profile_lacks_When_walked_Then_ACKPT054()
    {
        var model = new StepCostModel(WithSubModules());
        var e = Assert.Throws<AckptException>(() => model.PeakBytes([new(0, 0, SegmentStrategy.SubModule) { Option = "ffn" }, new(1, 7, SegmentStrategy.Keep)]));
        Assert.Equal(ErrorCodes.SubModuleNotFound, e.Code);
    }

    [Fact]
    public void Given_units_that_can_recompute_their_attention_cheaply_When_planned_under_a_cap_Then_the_plan_uses_it_and_writes_it()
    {
        var plan = CheckpointPlanner.Plan(new PlanRequest { Profile = WithSubModules(), Cap = MemoryCap.Parse("75%"), Solver = PlannerSolver.Exact }).Plan;
        Assert.Contains(plan.Segments, s => s.Option == "attn");
        Assert.All(plan.Segments.Where(s => s.Option is not null), s => Assert.Equal((1, SegmentStrategy.SubModule), (s.Length, s.Strategy)));
        Assert.Contains("recompute_only: \"attn\"", PlanFile.Format(plan));
        Assert.Equal(plan.Segments, PlanFile.Parse(PlanFile.Format(plan), "p.yaml").Segments);
        var withoutOption = CheckpointPlanner.Plan(new PlanRequest { Profile = WithSubModules() with { Stages = [.. WithSubModules().Stages.Select(s => s with { SubModules = [] })] }, Cap = MemoryCap.Parse("75%"), Solver = PlannerSolver.Exact }).Plan;
        Assert.DoesNotContain(withoutOption.Segments, s => s.Option is not null);
        Assert.True(plan.Predicted!.RecomputeSeconds < withoutOption.Predicted!.RecomputeSeconds);
        foreach (var solver in new[] { PlannerSolver.Auto, PlannerSolver.Mip })
            Assert.Equal(plan.Predicted.RecomputeSeconds, CheckpointPlanner.Plan(new PlanRequest { Profile = WithSubModules(), Cap = MemoryCap.Parse("75%"), Solver = solver }).Plan.Predicted!.RecomputeSeconds, 12);
    }

    [Fact]
    public void Given_a_unit_measured_untidy_When_the_planner_may_keep_it_tidy_Then_the_option_is_not_offered_there()
    {
        // Measured with the unit untidy (the profile's tidy_allowed false) but the plan would keep it tidy: the figures
        // would not hold, so the option is left out; and the reverse.
        var profile = WithSubModules() with { Stages = [.. WithSubModules().Stages.Select(s => s with { TidyAllowed = true })] };
        var tidy = new StepCostModel(profile) { TidyStages = [.. profile.Stages.Select(_ => false)] };
        var costs = new AutoCkpt.Planner.Strategies.UnitCosts(tidy);
        Assert.DoesNotContain(AutoCkpt.Planner.Strategies.StrategyRegistry.At(costs, 0), s => s.Name.Contains("sub_module", StringComparison.Ordinal));
        var both = new AutoCkpt.Planner.Strategies.UnitCosts(TidyCosts.Model(profile, NoTidyPatterns.Empty));
        Assert.Contains(AutoCkpt.Planner.Strategies.StrategyRegistry.At(both, 0), s => s.Name == "tidy_sub_module");
    }
}
