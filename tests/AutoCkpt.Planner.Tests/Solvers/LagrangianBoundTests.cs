using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Solvers;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Planner.Tests.Solvers;

/// <summary>
/// The Lagrangian bound on long chains' recompute ticks must never exceed the optimum (else a reported gap would be
/// too small): checked against the exact dynamic program on random small chains, at caps from the tightest to loose,
/// with and without multi-level arcs. It must also bound something: most tight cases get a positive bound. Its heuristic
/// plans (the shortest paths that fit every row) fit the cap.
/// </summary>
public sealed class LagrangianBoundTests
{
    [Fact]
    public void Given_random_chains_and_caps_When_bounded_Then_the_bound_is_at_most_the_exact_optimum_and_mostly_positive()
    {
        int solved = 0, positive = 0, ticked = 0;
        double sumRatio = 0;
        for (int seed = 0; seed < 150; seed++)
        {
            var rng = new Random(5000 + seed);
            int n = rng.Next(2, 25);
            var profile = TestProfiles.Random(rng, n, seed % 2 == 1 ? seed : null);
            if (seed % 3 == 2) profile = TestProfiles.WithStepTime(profile, new Random(seed + 7));
            var model = new StepCostModel(profile);
            if (seed % 4 == 0) model = model.SingleLevel();
            long none = model.PeakBytes(Baselines.None(n)), every = model.PeakBytes(model.Runnable(Baselines.EveryStage(n)));
            long lo = Math.Min(none, every), hi = Math.Max(none, every);
            long cap = lo + (long)((hi - lo) * rng.NextDouble() * 1.05) - (seed % 5 == 0 ? (long)(lo * 0.1 * rng.NextDouble()) : 0);
            int maxSegment = rng.Next(1, n + 1);
            var exact = new DynamicProgramSolver(model, maxSegment).Solve(cap, TimeSpan.FromMinutes(1));
            var t = new ChainGraph(model, maxSegment);
            var bound = new LagrangianBound(t, cap - t.FixedBytes);
            if (exact.Status == SolveStatus.Infeasible)
            {
                // Nothing fits: any bound is valid; it must not throw. Against a made-up upper value it may prove more.
                bound.Run(1_000_000, TimeSpan.FromSeconds(5));
                continue;
            }
            Assert.Equal(SolveStatus.Optimal, exact.Status);
            long optimum = TimeTicks.OfPlan(t.Ticks, exact.Segments!);
            // A loose upper value (the every-stage plan's ticks, or more): the bound may not use the optimum's value.
            long upper = Math.Max(optimum, TimeTicks.OfPlan(t.Ticks, model.Runnable(Baselines.EveryStage(n)))) + 1;
            double value = bound.Run(upper, TimeSpan.FromSeconds(5), 500);
            Assert.True(value <= optimum + 1e-6, $"seed {seed}: the bound {value} exceeds the optimum's {optimum} ticks (n {n}, cap {cap})");
            solved++;
            // Its heuristic plan, when it has one, is a plan: never under the optimum's ticks when it fits.
            if (bound.BestPath is { } path)
            {
                var segments = t.Segments(path);
                Assert.Equal(bound.BestPathTicks, TimeTicks.OfPlan(t.Ticks, segments));
                if (model.PeakBytes(segments) <= cap) Assert.True(bound.BestPathTicks >= optimum, $"seed {seed}: a plan beats the optimum");
                else Assert.True(model.PeakBytes(segments) - cap <= cap * 1e-9, $"seed {seed}: the heuristic's plan is {model.PeakBytes(segments) - cap} bytes over the cap");
            }
            if (optimum > 0)
            {
                ticked++;
                if (value > 0) positive++;
                sumRatio += Math.Max(0, value) / optimum;
            }
        }
        Assert.True(solved >= 100, $"too few feasible cases: {solved}");
        Assert.True(positive >= ticked * 0.8, $"the bound is positive in only {positive} of {ticked} cases that recompute");
        Assert.True(sumRatio / ticked >= 0.5, $"the bound averages only {sumRatio / ticked:P0} of the optimum");
    }
}
