using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Solvers;
using Xunit;
using static AutoCkpt.Testing.TestProfiles;

namespace AutoCkpt.Planner.Tests.CostModel;

/// <summary>
/// The step time with a profile's <c>step_time</c> (docs/cost-model.md, "Step time"): the stages' times scaled to the
/// measured whole step, and a cost per recompute segment, in the walk, in the recompute arcs and in the ticks.
/// </summary>
public sealed class StepTimeTests
{
    private const long MB = 1_000_000;

    // Three stages: forwards 1, 2, 1 s and backwards 2, 4, 2 s (Σ = 12 s); the whole step measured 9 s (scale 0.75), and
    // each recompute segment costs 0.5 s beyond its stages' forwards.
    private static readonly Profile Measured = Of(100 * MB,
        Stage("s0", 1, 2, 10 * MB, 30 * MB, 5 * MB, 8 * MB, 20 * MB, 0),
        Stage("s1", 2, 4, 10 * MB, 40 * MB, 6 * MB, 9 * MB, 25 * MB, 10 * MB),
        Stage("s2", 1, 2, 5 * MB, 20 * MB, 4 * MB, 7 * MB, 12 * MB, 0)) with { StepTime = new StepTimeFigures(9, 0.5) };

    [Fact]
    public void Given_a_measured_step_When_nothing_is_recomputed_Then_the_step_is_the_measured_one_not_the_stages_sum()
    {
        var p = new StepCostModel(Measured).Predict(Baselines.None(3));
        Assert.Equal(9, p.StepSeconds, 12);
        Assert.Equal(0, p.RecomputeSeconds);
    }

    [Fact]
    public void Given_a_measured_step_When_every_stage_is_recomputed_Then_each_forward_is_scaled_and_each_segment_adds_its_cost()
    {
        var p = new StepCostModel(Measured).Predict(Baselines.EveryStage(3));
        // 0.75 × (1 + 2 + 1) + 3 × 0.5
        Assert.Equal(4.5, p.RecomputeSeconds, 12);
        Assert.Equal(13.5, p.StepSeconds, 12);
    }

    [Fact]
    public void Given_the_same_stages_recomputed_in_one_segment_or_in_three_When_predicted_Then_one_segment_costs_two_segments_less()
    {
        var model = new StepCostModel(Measured);
        var one = model.Predict([new Segment(0, 2, SegmentStrategy.Recompute)]);
        var three = model.Predict(Baselines.EveryStage(3));
        Assert.Equal(2 * 0.5, three.RecomputeSeconds - one.RecomputeSeconds, 12);
        var ticks = TimeTicks.Of(Measured);
        Assert.Equal(2 * TimeTicks.Segment(ticks), TimeTicks.OfPlan(ticks, Baselines.EveryStage(3)) - TimeTicks.OfPlan(ticks, [new Segment(0, 2, SegmentStrategy.Recompute)]));
    }

    [Fact]
    public void Given_a_cost_per_unit_When_every_stage_or_one_segment_is_recomputed_Then_each_recomputed_unit_adds_it_once_and_each_segment_its_own()
    {
        var twoTerm = Measured with { StepTime = new StepTimeFigures(9, 0.5, 0.2) };
        var model = new StepCostModel(twoTerm);
        var every = model.Predict(Baselines.EveryStage(3));
        var one = model.Predict([new Segment(0, 2, SegmentStrategy.Recompute)]);
        var two = model.Predict([new Segment(0, 1, SegmentStrategy.Recompute), new Segment(2, 2, SegmentStrategy.Keep)]);
        // 0.75 × (1 + 2 + 1) + 3 × 0.5 + 3 × 0.2; one segment: 3 + 0.5 + 3 × 0.2; units 0 and 1: 0.75 × 3 + 0.5 + 2 × 0.2
        Assert.Equal(5.1, every.RecomputeSeconds, 12);
        Assert.Equal(4.1, one.RecomputeSeconds, 12);
        Assert.Equal(3.15, two.RecomputeSeconds, 12);
        Assert.Equal(9 + 5.1, every.StepSeconds, 12);
        // The walk's time ends where the prediction does.
        Assert.Equal(every.StepSeconds, model.Series(Baselines.EveryStage(3))[^1].Seconds, 12);
        Assert.Equal(two.StepSeconds, model.Series([new Segment(0, 1, SegmentStrategy.Recompute), new Segment(2, 2, SegmentStrategy.Keep)])[^1].Seconds, 12);
    }

    [Fact]
    public void Given_a_cost_per_unit_When_the_plans_are_counted_in_ticks_Then_they_order_as_the_predicted_seconds_do()
    {
        var twoTerm = Measured with { StepTime = new StepTimeFigures(9, 0.5, 0.2) };
        var model = new StepCostModel(twoTerm);
        var ticks = TimeTicks.Of(twoTerm);
        double tick = TimeTicks.TickSeconds(twoTerm);
        IReadOnlyList<Segment>[] plans =
        [
            Baselines.EveryStage(3),
            [new Segment(0, 2, SegmentStrategy.Recompute)],
            [new Segment(0, 1, SegmentStrategy.Recompute), new Segment(2, 2, SegmentStrategy.Keep)],
            [new Segment(0, 0, SegmentStrategy.Keep), new Segment(1, 1, SegmentStrategy.Recompute), new Segment(2, 2, SegmentStrategy.Recompute)],
        ];
        // Ticks are on the stages' own scale: the predicted recompute seconds over the scale 0.75.
        foreach (var plan in plans)
            Assert.Equal(model.Predict(plan).RecomputeSeconds / 0.75, TimeTicks.OfPlan(ticks, plan) * tick, 6);
    }

    [Fact]
    public void Given_the_whole_cost_per_segment_or_split_into_segment_and_units_When_every_unit_is_its_own_segment_Then_the_two_agree()
    {
        // c = c_segment + c_unit for a one-unit segment: a profile written before the per-unit cost predicts every_stage
        // as one measured with it.
        var old = new StepCostModel(Measured with { StepTime = new StepTimeFigures(9, 0.7) }).Predict(Baselines.EveryStage(3));
        var twoTerm = new StepCostModel(Measured with { StepTime = new StepTimeFigures(9, 0.5, 0.2) }).Predict(Baselines.EveryStage(3));
        Assert.Equal(old.RecomputeSeconds, twoTerm.RecomputeSeconds, 12);
    }

    [Fact]
    public void Given_a_step_longer_than_its_stages_When_predicted_Then_the_rest_is_paid_once_and_recomputed_forwards_are_not_scaled_up()
    {
        var longer = Measured with { StepTime = new StepTimeFigures(15, 0.5) };
        var model = new StepCostModel(longer);
        Assert.Equal(15, model.Predict(Baselines.None(3)).StepSeconds, 12);
        var every = model.Predict(Baselines.EveryStage(3));
        Assert.Equal(4 + 3 * 0.5, every.RecomputeSeconds, 12);
        Assert.Equal(15 + 5.5, every.StepSeconds, 12);
        Assert.Equal(15, model.Series(Baselines.None(3))[^1].Seconds, 12);
    }

    [Fact]
    public void Given_a_profile_without_step_time_When_predicted_Then_the_stages_sums_stand_and_no_segment_costs_anything()
    {
        var plain = Measured with { StepTime = null };
        var p = new StepCostModel(plain).Predict(Baselines.EveryStage(3));
        Assert.Equal(4, p.RecomputeSeconds, 12);
        Assert.Equal(16, p.StepSeconds, 12);
        Assert.Equal(0, TimeTicks.Segment(TimeTicks.Of(plain)));
    }

    [Fact]
    public void Given_a_segment_cost_When_the_planner_may_recompute_two_units_apart_or_together_Then_it_takes_one_segment()
    {
        // Four identical units and a cap that the forward of two recomputed units meets. Without a segment cost, two
        // one-unit segments and one two-unit segment tie on time; with it, the planner must take the single segment
        // wherever that fits as well.
        var profile = Uniform(4) with { StepTime = new StepTimeFigures(0.12, 0.005) };
        var model = new StepCostModel(profile);
        long cap = model.PeakBytes([new Segment(0, 1, SegmentStrategy.Recompute), new Segment(2, 3, SegmentStrategy.Keep)]);
        var plan = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = MemoryCap.Parse(cap.ToString(System.Globalization.CultureInfo.InvariantCulture)), Headroom = PlanRequest.NoHeadroom }).Plan;
        var recompute = plan.Segments.Where(s => s.Strategy == SegmentStrategy.Recompute).ToList();
        Assert.Single(recompute);
        Assert.Equal(model.Predict(plan.Segments).RecomputeSeconds, plan.Predicted!.RecomputeSeconds, 12);
    }
}
