using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Planner.Tests;

public sealed class DeterminismTests
{
    [Theory]
    [InlineData(PlannerSolver.Mip)]
    [InlineData(PlannerSolver.CpSat)]
    [InlineData(PlannerSolver.Exact)]
    public void Given_the_same_profile_and_options_When_planned_twice_Then_the_files_are_equal_apart_from_the_solve_time(PlannerSolver solver)
    {
        // Uniform stages tie in time everywhere: the tie-break by peak, then the search order, must pick one plan.
        var profile = TestProfiles.Uniform(12);
        string Once()
        {
            var plan = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = MemoryCap.Parse("85%"), Solver = solver, Sweep = true, SweepPoints = 4 }).Plan;
            return PlanFile.Format(plan with { Solver = plan.Solver! with { SolveSeconds = 0 } });
        }
        Assert.Equal(Once(), Once());
    }

    [Fact]
    public void Given_tied_plans_When_solved_by_the_mip_and_the_dp_Then_both_take_the_lower_peak()
    {
        var profile = TestProfiles.Uniform(12);
        var mip = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = MemoryCap.Parse("85%") }).Plan.Predicted!;
        var dp = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = MemoryCap.Parse("85%"), Solver = PlannerSolver.Exact }).Plan.Predicted!;
        Assert.Equal(dp.RecomputeSeconds, mip.RecomputeSeconds, 12);
        Assert.Equal(dp.PeakBytes, mip.PeakBytes);
    }
}
