using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Solvers;
using AutoCkpt.Planner.Strategies;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Planner.Tests.Strategies;

/// <summary>The strategies' options per unit, as the solvers see them (the chain graph), and keep-only units.</summary>
public sealed class StrategyRegistryTests
{
    /// <summary>Eight identical units; unit 3 and unit 6 may not be recomputed (code between units).</summary>
    private static Profile WithKeepOnly() =>
        TestProfiles.Uniform(8) is var p
            ? p with { Stages = [.. p.Stages.Select((s, i) => s with { RecomputeAllowed = i is not (3 or 6) })] }
            : throw new InvalidOperationException();

    [Fact]
    public void Given_keep_only_units_When_the_chain_graph_is_built_Then_no_arc_recomputes_or_spans_them_and_every_unit_can_be_kept()
    {
        var profile = WithKeepOnly();
        var graph = new ChainGraph(TidyCosts.Model(profile, NoTidyPatterns.Empty), 8);
        for (int p = 0; p < graph.Stages; p++)
        {
            Assert.Contains(graph.Out[p], ChainGraph.IsBase);
            foreach (var arc in graph.Out[p].Where(a => StrategyRegistry.All[a.Strategy].Runs == SegmentStrategy.Recompute))
                Assert.All(Enumerable.Range(p, arc.Length), i => Assert.True(profile.Stages[i].RecomputeAllowed, $"the arc at {p} of {arc.Length} units recomputes unit {i}"));
        }
        // Units 4..5 are the longest run between the keep-only units: recompute arcs from 4 are 1 or 2 units long, and
        // the one multi-level arc (2 units: the first checkpointed, the second kept) too.
        Assert.Equal([1, 2], graph.Out[4].Where(a => a.Ticks > 0 && StrategyRegistry.All[a.Strategy].Name == "recompute").Select(a => a.Length));
        Assert.Equal([2], graph.Out[4].Where(a => a.Ticks > 0 && StrategyRegistry.All[a.Strategy].Name == "nested").Select(a => a.Length));
        Assert.DoesNotContain(graph.Out[3], a => a.Ticks > 0);
    }

    [Fact]
    public void Given_tidy_allowed_When_options_are_listed_Then_tidy_keep_replaces_keep_and_keep_remains_where_tidy_is_not_allowed()
    {
        var profile = TestProfiles.Uniform(3) is var p ? p with { Stages = [.. p.Stages.Select((s, i) => s with { TidyAllowed = i != 1 })] } : null!;
        var costs = new UnitCosts(TidyCosts.Model(profile, NoTidyPatterns.Empty));
        Assert.Equal(["tidy", "recompute", "nested"], StrategyRegistry.At(costs, 0).Select(s => s.Name));
        Assert.Equal(["keep", "recompute", "nested"], StrategyRegistry.At(costs, 1).Select(s => s.Name));
    }

    [Theory]
    [InlineData(PlannerSolver.Auto)]
    [InlineData(PlannerSolver.Exact)]
    [InlineData(PlannerSolver.Mip)]
    public void Given_keep_only_units_When_planned_at_the_tightest_cap_Then_the_plan_and_every_baseline_keep_them(PlannerSolver solver)
    {
        var profile = WithKeepOnly();
        var model = TidyCosts.Model(profile, NoTidyPatterns.Empty);
        long least = model.PeakBytes(new ExhaustiveSolver(model, 8).MinimumPeak(TimeSpan.FromMinutes(1)).Segments!);
        var r = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = new MemoryCap(least, null), Headroom = PlanRequest.NoHeadroom, Solver = solver });
        Assert.Equal(least, r.Plan.Predicted!.PeakBytes);
        foreach (var segments in r.Baselines.Select(b => b.Segments).Append(r.Plan.Segments))
            Assert.All(segments.Where(s => s.Strategy == SegmentStrategy.Recompute),
                s => Assert.DoesNotContain(Enumerable.Range(s.First, s.Length), i => i is 3 or 6));
        // every_stage recomputes every other unit, alone.
        var every = r.Baselines.Single(b => b.Name == "every_stage").Segments;
        Assert.Equal(6, every.Count(s => s.Strategy == SegmentStrategy.Recompute));
    }

    [Fact]
    public void Given_a_plan_found_but_not_proved_When_written_Then_the_file_says_its_gap_and_what_it_is_measured_against()
    {
        var plan = new Plan
        {
            Target = "t", Model = new ModelInfo("sha256:x", 1), Device = new DeviceInfo("cpu", ""), BatchSize = 1, MemoryCapBytes = 100,
            Segments = [new Segment(0, 0, SegmentStrategy.Recompute)],
            Solver = new SolverInfo("auto", "dp+GLOP", "feasible", 0.0125, 9.5) { Bound = "LP relaxation (GLOP)", LowerBoundSeconds = 0.79 },
        };
        string text = PlanFile.Format(plan);
        Assert.Contains("bound: \"LP relaxation (GLOP)\"", text);
        Assert.Contains("lower_bound_seconds: 0.79", text);
        Assert.Equal(plan.Solver, PlanFile.Parse(text, "p.yaml").Solver);
    }

    [Fact]
    public void Given_every_plan_strategy_Then_a_registered_planner_strategy_makes_it_and_the_walk_and_the_ticks_count_it()
    {
        // Unit 1 has figures for a sub-module "x" (docs/selective.md), which a kept unit pays for recomputing.
        var profile = TestProfiles.Uniform(3) is var u
            ? u with { Stages = [.. u.Stages.Select((s, i) => i == 1 ? s with { SubModules = [new SubModuleFigures("x", 4_000_000, 0, 2_000_000, 0, 0.004)] } : s)] }
            : null!;
        var ticks = TimeTicks.Of(profile);
        foreach (var strategy in SegmentStrategy.All)
        {
            var planned = StrategyRegistry.For(strategy);
            Assert.True(planned is not null && planned.Runs == strategy, $"no planner strategy makes '{strategy}'");
            IReadOnlyList<Segment> plan = [new(0, 0, SegmentStrategy.Keep), new(1, 1, strategy) { Option = strategy.TakesOption ? "x" : null }, new(2, 2, SegmentStrategy.Keep)];
            var predicted = new StepCostModel(profile).Predict(plan);
            bool pays = strategy.Recomputes || planned!.OptionSeconds(profile.Stages[1]).Any(o => o.Option == "x");
            Assert.Equal(pays, predicted.RecomputeSeconds > 0);
            Assert.Equal(pays, TimeTicks.OfPlan(ticks, plan) > 0);
        }
    }
}
