using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Solvers;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Planner.Tests;

/// <summary>Every planner error through the library call (the CLI tests cover the same through the command).</summary>
public sealed class PlannerErrorTests
{
    private static PlanRequest Request(Profile p, string cap, PlannerSolver solver = PlannerSolver.Mip) =>
        new() { Profile = p, Cap = MemoryCap.Parse(cap), Solver = solver, ProfileFile = "p.yaml" };

    [Theory]
    [InlineData(PlannerSolver.Mip)]
    [InlineData(PlannerSolver.CpSat)]
    [InlineData(PlannerSolver.Exact)]
    public void Given_a_cap_under_the_smallest_reachable_peak_When_planned_Then_ACKPT040_gives_that_peak_and_the_fixed_part(PlannerSolver solver)
    {
        var profile = TestProfiles.Uniform(6, fixedTotal: 100_000_000);
        var model = new StepCostModel(profile);
        long least = model.PeakBytes(new ExhaustiveSolver(model, 6).MinimumPeak(TimeSpan.FromMinutes(1)).Segments!);
        var e = Assert.Throws<AckptException>(() => CheckpointPlanner.Plan(Request(profile, $"{least - 1}", solver)));
        Assert.Equal(ErrorCodes.InfeasibleCap, e.Code);
        Assert.Contains($"({least} bytes)", e.Message);
        Assert.Contains("95.37 MiB is fixed memory", e.Message);
        Assert.Equal("p.yaml", e.File);
    }

    [Fact]
    public void Given_a_cap_below_fixed_memory_When_planned_Then_ACKPT040()
    {
        var e = Assert.Throws<AckptException>(() => CheckpointPlanner.Plan(Request(TestProfiles.Uniform(4), "50MB")));
        Assert.Equal(ErrorCodes.InfeasibleCap, e.Code);
    }

    [Fact]
    public void Given_a_percentage_that_is_less_than_a_byte_When_planned_Then_ACKPT041()
    {
        var e = Assert.Throws<AckptException>(() => CheckpointPlanner.Plan(Request(TestProfiles.Uniform(4), "0.0000000001%")));
        Assert.Equal(ErrorCodes.BadCap, e.Code);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(-1, null)]
    [InlineData(double.NaN, null)]
    [InlineData(10, 0)]
    public void Given_a_bad_option_When_planned_Then_ACKPT044(double timeLimit, int? maxSegment)
    {
        var request = Request(TestProfiles.Uniform(4), "90%") with { TimeLimitSeconds = timeLimit, MaxSegment = maxSegment };
        Assert.Equal(ErrorCodes.BadPlannerOption, Assert.Throws<AckptException>(() => CheckpointPlanner.Plan(request)).Code);
    }

    [Fact]
    public void Given_a_time_limit_too_short_for_any_plan_When_planned_Then_ACKPT042()
    {
        // At the smallest reachable peak the greedy start finds nothing, and 0.1 ms is too short for SCIP.
        var profile = TestProfiles.Random(new Random(5), 80);
        var model = new StepCostModel(profile);
        int maxSegment = PlanRequest.DefaultMaxSegment(80);
        long least = model.PeakBytes(new DynamicProgramSolver(model, maxSegment).MinimumPeak(TimeSpan.FromMinutes(2)).Segments!);
        Assert.Null(GreedyPlanner.Plan(model, maxSegment, least));
        var e = Assert.Throws<AckptException>(() => CheckpointPlanner.Plan(Request(profile, $"{least}") with { TimeLimitSeconds = 1e-4 }));
        Assert.Equal(ErrorCodes.SolverNoSolution, e.Code);
    }

    [Fact]
    public void Given_a_time_limit_that_runs_out_with_a_plan_When_planned_Then_the_plan_is_kept_with_its_gap_and_ACKPT043()
    {
        var profile = TestProfiles.Random(new Random(9), 150);
        var result = CheckpointPlanner.Plan(Request(profile, "60%") with { TimeLimitSeconds = 0.05 });
        Assert.Equal("feasible", result.Plan.Solver!.Status);
        Assert.True(result.Plan.Solver.Gap > 0);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(ErrorCodes.SolverTimeLimit, warning.Code);
        Assert.True(result.Plan.Predicted!.PeakBytes <= result.CapBytes);
    }

    [Theory]
    [InlineData(PlannerSolver.Auto)]
    [InlineData(PlannerSolver.Exact)]
    public void Given_a_time_limit_that_runs_out_before_the_solvers_tables_are_built_When_planned_Then_the_fastest_fitting_baseline_is_the_plan_marked_unproved(PlannerSolver solver)
    {
        // 2000 units: the chain graph alone is 2000 · 90 arcs; 1 µs is over before its first row.
        var profile = TestProfiles.Random(new Random(3), 2000);
        var result = CheckpointPlanner.Plan(Request(profile, "80%", solver) with { TimeLimitSeconds = 1e-6 });

        var s = result.Plan.Solver!;
        Assert.Equal(("feasible", "baselines", 1.0), (s.Status, s.Backend, s.Gap));
        Assert.Equal(solver == PlannerSolver.Auto ? "auto" : "exact", s.Method);
        Assert.Equal("none known (0 recompute)", s.Bound);
        Assert.True(result.Plan.Predicted!.PeakBytes <= result.BudgetBytes);
        Assert.All(result.Baselines.Where(b => b.Prediction.PeakBytes <= result.BudgetBytes),
            b => Assert.True(result.Plan.Predicted.StepSeconds <= b.Prediction.StepSeconds, b.Name));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(ErrorCodes.SolverTimeLimit, warning.Code);
        Assert.Contains("the fastest baseline that fits", warning.Message);
    }
}
