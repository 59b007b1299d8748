using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Solvers;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Planner.Tests.Solvers;

/// <summary>
/// The window search of long chains (<c>DynamicProgramSolver.Windows</c>) changes a plan one stretch of units at a time:
/// what it returns must fit the cap over the whole chain, never be slower than the plan it started from, never beat the
/// exact optimum, and it must improve some start plans (else it would be dead weight in the 10 s pipeline).
/// </summary>
public sealed class WindowSearchTests
{
    [Fact]
    public void Given_random_chains_and_a_start_plan_When_searched_by_windows_Then_the_plan_fits_is_no_slower_and_not_below_the_optimum()
    {
        int improved = 0, cases = 0;
        for (int seed = 0; seed < 60; seed++)
        {
            var rng = new Random(9100 + seed);
            int n = rng.Next(8, 21);
            var model = new StepCostModel(TestProfiles.Random(rng, n, seed % 2 == 1 ? seed : null)).SingleLevel();
            long none = model.PeakBytes(Baselines.None(n)), every = model.PeakBytes(model.Runnable(Baselines.EveryStage(n)));
            long lo = Math.Min(none, every), hi = Math.Max(none, every);
            long cap = lo + (long)((hi - lo) * (0.2 + 0.7 * rng.NextDouble()));
            int maxSegment = rng.Next(2, 7);
            var dp = new DynamicProgramSolver(model, maxSegment);
            var exact = dp.Solve(cap, TimeSpan.FromMinutes(1));
            if (exact.Status != SolveStatus.Optimal) continue;
            var t = new ChainGraph(model, maxSegment);
            // A start plan that fits: the every-stage plan when it does (the solvers' usual fallback), else the optimum.
            var everyStage = model.Runnable(Baselines.EveryStage(n));
            var start = every <= cap && t.Holds(everyStage) ? everyStage : exact.Segments!;
            var found = dp.Windows(start, cap, new TimeBound(t, cap - t.FixedBytes, TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(20), width: 4)!;
            long startTicks = TimeTicks.OfPlan(t.Ticks, start), foundTicks = TimeTicks.OfPlan(t.Ticks, found), optimum = TimeTicks.OfPlan(t.Ticks, exact.Segments!);
            Assert.True(model.PeakBytes(found) <= cap, $"seed {seed}: the plan found peaks {model.PeakBytes(found)} over the cap {cap}");
            Assert.True(t.Holds(found), $"seed {seed}: the plan found is not in the chain graph");
            Assert.True(foundTicks <= startTicks, $"seed {seed}: {foundTicks} ticks, slower than the start's {startTicks}");
            Assert.True(foundTicks >= optimum, $"seed {seed}: {foundTicks} ticks beat the optimum's {optimum}");
            cases++;
            if (foundTicks < startTicks) improved++;
        }
        Assert.True(cases >= 30, $"only {cases} cases solved");
        Assert.True(improved >= 5, $"the window search improved only {improved} of {cases} start plans");
    }
}
