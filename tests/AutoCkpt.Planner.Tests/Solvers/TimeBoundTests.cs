using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Solvers;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Planner.Tests.Solvers;

/// <summary>
/// The dynamic program's pruning bound (fractional knapsacks and the cost-to-go table) must never exceed what the rest
/// of a plan really costs, or the DP would prune the optimum: checked along the oracle's optimal plans.
/// </summary>
public sealed class TimeBoundTests
{
    [Fact]
    public void Given_random_profiles_and_caps_When_bounding_each_prefix_of_the_optimal_plan_Then_the_bound_is_at_most_the_ticks_still_to_come()
    {
        int checkedPlans = 0;
        for (int seed = 0; seed < 120; seed++)
        {
            var rng = new Random(1000 + seed);
            int n = rng.Next(1, 10);
            var profile = TestProfiles.Random(rng, n, seed % 2 == 1 ? seed : null);
            if (seed % 3 == 2) profile = TestProfiles.WithStepTime(profile, new Random(seed + 13)); // a cost per recompute segment
            var model = new StepCostModel(profile);
            long none = model.PeakBytes(Baselines.None(n)), every = model.PeakBytes(Baselines.EveryStage(n));
            long cap = (long)(Math.Min(none, every) * 0.9 + rng.NextDouble() * Math.Abs(none - every) * 1.1);
            int maxSegment = rng.Next(1, n + 1);
            var optimum = new ExhaustiveSolver(model, maxSegment).Solve(cap, TimeSpan.FromMinutes(1));
            if (optimum.Segments is not { } plan) continue;
            checkedPlans++;
            var t = new ChainGraph(model, maxSegment);
            // The oracle breaks ties by the order it enumerates; where its optimum uses a multi-level arc the graph left
            // out for an equal-cost variant with a lower backward peak, follow the exact program's optimum instead, which
            // must cost the same.
            if (!t.Holds(plan))
            {
                var exact = new DynamicProgramSolver(model, maxSegment).Solve(cap, TimeSpan.FromMinutes(1)).Segments!;
                Assert.Equal(TimeTicks.OfPlan(t.Ticks, plan), TimeTicks.OfPlan(t.Ticks, exact));
                plan = exact;
            }
            long budget = cap - t.FixedBytes;
            var bound = new TimeBound(t, budget);
            long total = TimeTicks.OfPlan(t.Ticks, plan), spent = 0, held = 0;
            foreach (var (p, hold, ticks) in Arcs(t, plan))
            {
                double rest = bound.Ticks(p, long.MinValue / 4, held, budget);
                Assert.True(spent + rest <= total + 1e-6, $"seed {seed}: at stage {p} the bound {rest} exceeds the {total - spent} ticks the optimum still spends");
                held += hold;
                spent += ticks;
            }
        }
        Assert.True(checkedPlans >= 60, $"too few feasible cases: {checkedPlans}");
    }

    [Theory]
    [InlineData(100, null, 20)]
    [InlineData(1000, null, 64)]
    [InlineData(1000, 142, 142)]
    [InlineData(1000, 500, 64)]
    [InlineData(10, 5, 10)]
    public void Given_the_fastest_fitting_uniform_plans_segment_When_the_default_max_segment_is_chosen_Then_it_grows_to_hold_it_up_to_four_times(int stages, int? uniformSegment, int expected) =>
        Assert.Equal(expected, PlanRequest.DefaultMaxSegment(stages, uniformSegment));

    /// <summary>Each arc of a plan (one-stage keeps, whole recompute segments): where it starts, what it holds, its ticks.</summary>
    private static IEnumerable<(int Start, long Hold, long Ticks)> Arcs(ChainGraph t, IReadOnlyList<Segment> plan) =>
        t.ArcsOf(plan)!.Select(x => (x.P, t.Out[x.P][x.J].Hold, t.Out[x.P][x.J].Ticks));
}
