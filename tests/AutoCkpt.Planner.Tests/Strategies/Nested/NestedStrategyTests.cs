using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Solvers;
using AutoCkpt.Planner.Strategies;
using AutoCkpt.Planner.Strategies.Nested;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Planner.Tests.Strategies.Nested;

/// <summary>Multi-level recompute: its closed form against the cost model's walk, and caps below every_stage's peak.</summary>
public sealed class NestedStrategyTests
{
    private static StepCostModel Scored(Profile profile) => TidyCosts.Model(profile, NoTidyPatterns.Empty);

    [Fact]
    public void Given_random_chains_When_the_sequential_peak_grows_unit_by_unit_Then_it_equals_the_general_backward_walk()
    {
        for (int seed = 0; seed < 40; seed++)
        {
            var profile = TestProfiles.Random(new Random(seed), 9, seed % 2 == 1 ? seed : null);
            var costs = new UnitCosts(Scored(profile));
            for (int a = 0; a < 8; a++)
            {
                var closed = new SequentialPeak(costs, a);
                for (int b = a + 1; b < 9; b++)
                    Assert.Equal(NestedBackward.Peak(costs, NestedSchedules.Of(a, b, NestedSchedules.Sequential)), closed.Extend(b));
            }
        }
    }

    /// <summary>
    /// The output gradient of a multi-level segment lives to the end of the segment's backward (the autograd engine holds
    /// it until the group's backward returns), through its inner levels. Bytes in MB, F = 100. Units: s0 (O 10, R 80,
    /// D 70), s1 (O 50, R 55, D 5); plan 0-1:recompute[0-0:recompute,1-1:keep]. Forward 180, 110, 165, 150; loss
    /// gradient 200. Backward: s0 run without autograd 280, its checkpoint 210; s1 re-run 265, backward 260 (its gradient
    /// held); then s1's input checkpoint becomes its gradient, 210, where freeing s1's output gradient gave 160; s0 re-run
    /// from the saved input 290 (was 240), backward 220, its input gradient 200; the segment's end frees s1's output
    /// gradient, 150. Peak 290 (was 280, at the no-grad run), 140 above the arcs' base of F + s1's output.
    /// </summary>
    [Fact]
    public void Given_a_multi_level_segment_When_its_inner_segment_is_backpropagated_Then_the_outer_output_gradient_is_still_live_and_the_peak_is_290_MB()
    {
        const long MB = 1_000_000;
        var profile = TestProfiles.Of(100 * MB,
            TestProfiles.Stage("s0", 1, 2, 10 * MB, 80 * MB, freed: 70 * MB),
            TestProfiles.Stage("s1", 1, 2, 50 * MB, 55 * MB, freed: 5 * MB));
        var segment = NestedSchedules.Of(0, 1, NestedSchedules.Sequential);
        var model = new StepCostModel(profile);
        Assert.Equal(290 * MB, model.PeakBytes([segment]));
        var disposals = model.Series([segment]).Where(x => x.Phase == StepPhase.Dispose).Select(x => x.Bytes / MB);
        Assert.Equal([210L, 200L, 150L], disposals);
        var costs = new UnitCosts(model);
        Assert.Equal(140 * MB, NestedBackward.Peak(costs, segment));
        Assert.Equal(140 * MB, new SequentialPeak(costs, 0).Extend(1));
    }

    /// <summary>
    /// Every plan with one multi-level segment, in every schedule offered, scored two ways: by chaining the chain graph's
    /// arcs as the dynamic program does (y, a, f), and by the cost model's walk. Arcs left out as dominated are skipped.
    /// </summary>
    [Fact]
    public void Given_random_chains_When_a_nested_segment_is_scored_by_its_arcs_Then_the_peak_and_ticks_equal_the_cost_models() =>
        CompareArcsWithWalk((rng, n, seed) => TestProfiles.Random(rng, n, seed % 2 == 1 ? seed : null));

    /// <summary>
    /// The same with the shared-tensor figures (<see cref="SharedTensors"/>): each unit's input partly held by the model's
    /// forward (<c>input_held_bytes</c>) and its output partly saved by its own autograd (<c>saved_output_bytes</c>), so
    /// the nested walk and the arcs' closed forms read the adjusted figures alike.
    /// </summary>
    [Fact]
    public void Given_random_chains_with_shared_tensors_When_a_nested_segment_is_scored_by_its_arcs_Then_the_peak_and_ticks_equal_the_cost_models() =>
        CompareArcsWithWalk((rng, n, seed) =>
        {
            var p = TestProfiles.Random(rng, n, seed % 2 == 1 ? seed : null);
            var shared = new Random(seed + 1000);
            return p with
            {
                Stages = [.. p.Stages.Select((s, i) => s with
                {
                    InputHeldBytes = i > 0 && shared.Next(3) > 0 ? shared.NextInt64(0, p.Stages[i - 1].OutputBytes + 1) : 0,
                    SavedOutputBytes = shared.Next(3) > 0 ? shared.NextInt64(0, s.OutputBytes + 1) : 0,
                })],
            };
        });

    private static void CompareArcsWithWalk(Func<Random, int, int, Profile> make)
    {
        int compared = 0;
        for (int seed = 0; seed < 30; seed++)
        {
            var rng = new Random(seed);
            int n = rng.Next(3, 9);
            var profile = make(rng, n, seed);
            var model = Scored(profile);
            var graph = new ChainGraph(model, n);
            var ticks = TimeTicks.Of(profile);
            for (int a = 0; a < n; a++)
                for (int b = a + 1; b < n; b++)
                    foreach (int variant in NestedSchedules.Variants(b - a + 1))
                        foreach (var before in new[] { SegmentStrategy.Keep, SegmentStrategy.Recompute })
                        {
                            var plan = new List<Segment>();
                            if (a > 0) plan.Add(new Segment(0, a - 1, before));
                            plan.Add(NestedSchedules.Of(a, b, variant));
                            if (b < n - 1) plan.Add(new Segment(b + 1, n - 1, SegmentStrategy.Keep));
                            if (graph.ArcsOf(plan) is not { } path) continue;
                            long y = 0, acc = long.MinValue / 4, f = long.MinValue / 4, t = 0;
                            bool endsCheckpoint = false;
                            foreach (var (p, j) in path)
                            {
                                var arc = graph.Out[p][j];
                                long freed = endsCheckpoint ? graph.AfterCheckpoint(p, arc) : 0;
                                long hold = arc.Hold - (endsCheckpoint ? graph.HoldAfterCheckpoint(p, arc) : 0);
                                f = Math.Max(f, y + arc.Forward);
                                y += hold;
                                acc = Math.Max(acc + hold - arc.Release - freed, y + arc.Backward);
                                t += arc.Ticks;
                                endsCheckpoint = arc.Checkpoint;
                            }
                            Assert.Equal(model.PeakBytes(plan), graph.FixedBytes + Math.Max(f, acc));
                            Assert.Equal(TimeTicks.OfPlan(ticks, plan), t);
                            compared++;
                        }
        }
        Assert.True(compared > 200, $"only {compared} nested plans were in the graph");
    }

    [Fact]
    public void Given_a_segment_When_run_sequentially_Then_unit_i_of_l_is_recomputed_l_minus_i_times_and_the_first_l_times()
    {
        var segment = NestedSchedules.Of(2, 5, NestedSchedules.Sequential);
        Assert.Equal([0, 0, 4, 3, 2, 1], NestedSegments.RecomputeCounts([new Segment(0, 1, SegmentStrategy.Keep), segment], 6));
        Assert.Equal("2-5:recompute[2-4:recompute[2-3:recompute[2-2:recompute,3-3:keep],4-4:keep],5-5:keep]", segment.ToString());
        var uniform = NestedSchedules.Of(0, 6, 3);
        Assert.Equal("0-6:recompute[0-2:recompute,3-5:recompute,6-6:keep]", uniform.ToString());
    }

    [Theory]
    [InlineData(PlannerSolver.Auto)]
    [InlineData(PlannerSolver.Exact)]
    [InlineData(PlannerSolver.Mip)]
    public void Given_a_cap_between_the_smallest_peak_and_every_stages_When_planned_Then_a_multi_level_plan_fits_and_matches_the_oracle(PlannerSolver solver)
    {
        var profile = TestProfiles.Uniform(10);
        var model = Scored(profile);
        long every = model.PeakBytes(Baselines.EveryStage(10));
        var least = new ExhaustiveSolver(model, 10).MinimumPeak(TimeSpan.FromMinutes(1));
        long smallest = model.PeakBytes(least.Segments!);
        long f = model.FixedBytes;
        Assert.True(smallest - f < (every - f) * 0.7, $"the smallest peak {smallest} should be well below every_stage's {every} (fixed {f})");
        Assert.Contains(least.Segments!, s => s.IsNested);
        foreach (double share in new[] { 0.0, 0.3, 0.7, 0.95 })
        {
            long cap = smallest + (long)((every - 1 - smallest) * share);
            var r = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = new MemoryCap(cap, null), Headroom = PlanRequest.NoHeadroom, Solver = solver });
            Assert.True(r.Plan.Predicted!.PeakBytes <= cap);
            // Near every_stage's peak a longer flat segment can do (one checkpoint fewer); near the smallest, only multi-level.
            if (share <= 0.3) Assert.True(r.Plan.IsNested, $"at {cap}: {string.Join(' ', r.Plan.Segments)}");
            // A multi-level plan is held to its prediction like a flat one: no warning (ACKPT046, retired, said it missed).
            Assert.Empty(r.Warnings);
            var oracle = new ExhaustiveSolver(model, 10).Solve(cap, TimeSpan.FromMinutes(1));
            var ticks = TimeTicks.Of(profile);
            Assert.Equal(TimeTicks.OfPlan(ticks, oracle.Segments!), TimeTicks.OfPlan(ticks, r.Plan.Segments));
            Assert.Equal("optimal", r.Plan.Solver!.Status);
        }
    }

    [Fact]
    public void Given_a_cap_below_the_smallest_peak_When_planned_Then_ACKPT040_says_the_smallest_cap_that_fits()
    {
        var profile = TestProfiles.Uniform(10);
        var model = Scored(profile);
        long smallest = model.PeakBytes(new ExhaustiveSolver(model, 10).MinimumPeak(TimeSpan.FromMinutes(1)).Segments!);
        var e = Assert.Throws<AckptException>(() => CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = new MemoryCap(smallest - 1, null), Headroom = PlanRequest.NoHeadroom }));
        Assert.Equal(ErrorCodes.InfeasibleCap, e.Code);
        Assert.Contains($"({smallest} bytes)", e.Message);
        var fits = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = new MemoryCap(smallest, null), Headroom = PlanRequest.NoHeadroom });
        Assert.Equal(smallest, fits.Plan.Predicted!.PeakBytes);
    }

    [Fact]
    public void Given_a_range_cap_of_zero_When_planned_Then_it_is_the_smallest_peak_with_multi_level_plans()
    {
        var profile = TestProfiles.Uniform(10);
        var model = Scored(profile);
        long smallest = model.PeakBytes(new ExhaustiveSolver(model, 10).MinimumPeak(TimeSpan.FromMinutes(1)).Segments!);
        var r = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = MemoryCap.Parse("range:0%"), Headroom = PlanRequest.NoHeadroom });
        Assert.Equal(smallest, r.SmallestPeakBytes);
        Assert.Equal(smallest, r.Plan.Predicted!.PeakBytes);
    }
}
