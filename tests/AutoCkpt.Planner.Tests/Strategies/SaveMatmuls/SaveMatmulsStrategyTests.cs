using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Planner.Tests.Strategies.SaveMatmuls;

/// <summary>Save-matmuls units (docs/selective.md) in the cost model's walk and in the plans the planner makes.</summary>
public sealed class SaveMatmulsStrategyTests
{
    private const long Kept = 3_000_000;

    /// <summary>Eight identical units (retaining 8 MB, 10 ms forward) that may keep 3 MB of Linear outputs to recompute in 4 ms.</summary>
    private static Profile Saving(double recomputeSeconds = 0.004) =>
        TestProfiles.Uniform(8) is var p
            ? p with { Stages = [.. p.Stages.Select(s => s with { SaveMatmuls = new SaveMatmulsFigures(Kept, recomputeSeconds) })] }
            : throw new InvalidOperationException();

    [Fact]
    public void Given_a_save_matmuls_unit_When_walked_Then_it_holds_its_kept_outputs_to_its_backward_and_costs_its_own_recompute_time()
    {
        var model = new StepCostModel(Saving());
        var saving = new List<Segment> { new(0, 0, SegmentStrategy.Keep), new(1, 1, SegmentStrategy.Recompute) { SavesMatmuls = true }, new(2, 7, SegmentStrategy.Keep) };
        var whole = new List<Segment> { new(0, 0, SegmentStrategy.Keep), new(1, 1, SegmentStrategy.Recompute), new(2, 7, SegmentStrategy.Keep) };
        long Dropped(List<Segment> plan) => model.Series(plan).Single(p => p.Phase == StepPhase.Drop && p.Stage == 1).Bytes;
        Assert.Equal(Kept, Dropped(saving) - Dropped(whole));
        Assert.Equal(0.004, model.RecomputeSeconds(saving), 12);
        Assert.Equal(0.010, model.RecomputeSeconds(whole), 12);
        Assert.Equal(model.Series(whole)[^1].Bytes, model.Series(saving)[^1].Bytes); // the step ends where it started
    }

    [Fact]
    public void Given_a_save_matmuls_unit_When_walked_Then_its_kept_outputs_stay_live_through_its_backward_in_the_walk_and_the_arcs()
    {
        // Measured (docs/cost-model.md, "Save-matmuls: kept outputs live through the backward"): the kept Linear outputs
        // go with the recompute's graph at the end of the unit's backward, not as the backward consumes them, as a full
        // recompute's intermediates do: suite-uneven's first unit read +2.0 MiB (its first Linear's output) over a model
        // that freed them, suite-inplace's units 4 and 5 +0.28 MiB.
        var model = new StepCostModel(Saving());
        var saving = new List<Segment> { new(0, 0, SegmentStrategy.Keep), new(1, 1, SegmentStrategy.Recompute) { SavesMatmuls = true }, new(2, 7, SegmentStrategy.Keep) };
        var series = model.Series(saving);
        var resumed = series.Single(p => p.Phase == StepPhase.Recompute && p.Stage == 1 && !p.IsTransientPeak).Bytes;
        var peak = series.Single(p => p.Phase == StepPhase.Backward && p.Stage == 1 && p.IsTransientPeak).Bytes;
        var st = model.Shared.Stages[1];
        long transient = st.Recompute?.BackwardTransientBytes ?? st.BackwardTransientBytes;
        Assert.Equal(resumed + transient + Kept, peak);
        // The solvers' arcs count the same (SaveMatmulsStrategy.AddArcs); OracleTests checks them against this walk.
    }

    [Fact]
    public void Given_units_that_can_save_their_matmuls_cheaply_When_planned_under_a_cap_Then_the_plan_uses_them_and_writes_them()
    {
        var result = CheckpointPlanner.Plan(new PlanRequest { Profile = Saving(), Cap = MemoryCap.Parse("75%"), Solver = PlannerSolver.Exact });
        var plan = result.Plan;
        Assert.Contains(plan.Segments, s => s.SavesMatmuls);
        Assert.All(plan.Segments.Where(s => s.SavesMatmuls), s => Assert.Equal(1, s.Length));
        Assert.Equal(plan.Segments.Where(s => s.SavesMatmuls).Select(s => s.First), Enumerable.Range(0, 8).Where(plan.SavesMatmuls));
        Assert.Contains("save_matmuls: true", PlanFile.Format(plan));
        var withoutOption = CheckpointPlanner.Plan(new PlanRequest { Profile = TestProfiles.Uniform(8), Cap = MemoryCap.Parse("75%"), Solver = PlannerSolver.Exact }).Plan;
        Assert.DoesNotContain(withoutOption.Segments, s => s.SavesMatmuls);
        Assert.True(plan.Predicted!.RecomputeSeconds < withoutOption.Predicted!.RecomputeSeconds);
    }

    [Fact]
    public void Given_save_matmuls_slower_than_a_full_recompute_When_planned_Then_whole_unit_recompute_is_chosen()
    {
        // Slower than a recompute and holding 3 MB more: never better.
        var plan = CheckpointPlanner.Plan(new PlanRequest { Profile = Saving(recomputeSeconds: 0.011), Cap = MemoryCap.Parse("75%"), Solver = PlannerSolver.Exact }).Plan;
        Assert.Contains(plan.Segments, s => s.Strategy == SegmentStrategy.Recompute);
        Assert.DoesNotContain(plan.Segments, s => s.SavesMatmuls);
    }
}
