using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Testing;
using AutoCkpt.Planner.Solvers;
using Xunit;

namespace AutoCkpt.Planner.Tests;

/// <summary>
/// Caps as a share of the saveable range (<c>range:N%</c>), the smallest reachable peak and the sweep, on a chain of
/// single-op units like MobileNet's, where recomputing every unit peaks above no recompute.
/// </summary>
public sealed class RangeCapTests
{

    private static PlanResult Plan(Profile profile, string cap, bool sweep = false, MemoryCap? headroom = null) =>
        CheckpointPlanner.Plan(new PlanRequest
        {
            Profile = profile, Cap = MemoryCap.Parse(cap), Solver = PlannerSolver.Exact, Sweep = sweep,
            Headroom = headroom ?? PlanRequest.NoHeadroom, ProfileFile = "p.yaml",
        });

    [Fact]
    public void Given_a_single_op_chain_When_its_peaks_are_predicted_Then_every_stage_peaks_above_none_and_the_smallest_reachable_peak_is_below_both()
    {
        var profile = TestProfiles.SingleOpChain(12);
        var model = new StepCostModel(profile);
        long every = model.PeakBytes(Baselines.EveryStage(12)), none = model.PeakBytes(Baselines.None(12));
        var peaks = CheckpointPlanner.Peaks(profile, NoTidyPatterns.Empty);
        long oracle = model.PeakBytes(new ExhaustiveSolver(model, 12).MinimumPeak(TimeSpan.FromMinutes(1)).Segments!);

        Assert.True(every > none, $"every_stage {every} should peak above none {none} on this profile");
        Assert.Equal(none, peaks.None);
        Assert.Equal(oracle, peaks.Smallest);
        Assert.True(peaks.Smallest < none);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Given_keep_only_entries_and_skips_When_the_smallest_peak_is_searched_Then_it_is_the_least_of_the_plans_the_runtime_can_run(bool skips)
    {
        for (int seed = 0; seed < 20; seed++)
        {
            var rng = new Random(seed);
            var random = TestProfiles.Random(rng, 8);
            // Code before the first unit and after the last (an embedding, a decoder and its loss), large, as the in-place
            // profiler writes it; and, with skips, units whose output the forward uses later.
            var profile = random with
            {
                Stages = [.. random.Stages.Select((s, i) => i is 0 or 7
                    ? s with { RecomputeAllowed = false, TidyAllowed = false, RetainedBytes = 4 * s.RetainedBytes }
                    : s with { OutputUsedLater = skips && rng.Next(2) == 0 })],
            };
            var model = TidyCosts.Model(profile, NoTidyPatterns.Empty);
            long oracle = model.PeakBytes(new ExhaustiveSolver(model, 8).MinimumPeak(TimeSpan.FromMinutes(1)).Segments!);
            Assert.Equal(oracle, CheckpointPlanner.Peaks(profile, NoTidyPatterns.Empty).Smallest);
        }
    }

    [Fact]
    public void Given_range_caps_When_planned_Then_0_percent_is_the_smallest_reachable_peak_and_100_percent_the_tidy_peak()
    {
        var profile = TestProfiles.SingleOpChain(12);
        var peaks = CheckpointPlanner.Peaks(profile, NoTidyPatterns.Empty);

        var least = Plan(profile, "range:0%");
        var most = Plan(profile, "range:100%");
        var half = Plan(profile, "range:50%");

        Assert.Equal(peaks.Smallest, least.CapBytes);
        Assert.Equal(peaks.Smallest, least.Plan.Predicted!.PeakBytes);
        Assert.Equal(peaks.Tidy, most.CapBytes);
        Assert.Equal(0, most.Plan.Predicted!.RecomputeSeconds);
        Assert.Equal(peaks.Smallest + (peaks.Tidy - peaks.Smallest) / 2, half.CapBytes);
        Assert.InRange(half.Plan.Predicted!.PeakBytes, peaks.Smallest, half.CapBytes);
        Assert.Equal(peaks.Smallest, half.SmallestPeakBytes);
    }

    [Fact]
    public void Given_a_range_cap_When_planned_Then_the_cap_says_it_is_a_share_of_the_way_to_the_tidy_peak()
    {
        var profile = TestProfiles.SingleOpChain(12);
        var peaks = CheckpointPlanner.Peaks(profile, NoTidyPatterns.Empty);

        Assert.Equal($"range:25% = 25% of the way from the smallest reachable peak ({MemoryCap.Format(peaks.Smallest)}) to the tidy peak ({MemoryCap.Format(peaks.Tidy)}): {MemoryCap.Format(MemoryCap.Parse("range:25%").Resolve(peaks))}",
            Plan(profile, "range:25%").CapDescription);
        Assert.StartsWith($"90% of the none peak ({MemoryCap.Format(peaks.None)})", Plan(profile, "90%").CapDescription);
        Assert.Contains("not a share of a peak", Plan(profile, "200MB").CapDescription);
    }

    [Fact]
    public void Given_a_chain_where_every_stage_peaks_above_none_When_swept_Then_the_sweep_spans_the_smallest_reachable_peak_to_the_tidy_peak()
    {
        var profile = TestProfiles.SingleOpChain(12);
        var peaks = CheckpointPlanner.Peaks(profile, NoTidyPatterns.Empty);

        var sweep = Plan(profile, "range:50%", sweep: true).Plan.Sweep;

        Assert.Equal(9, sweep.Count);
        Assert.Equal(peaks.Smallest, sweep[0].CapBytes);
        Assert.Equal(peaks.Tidy, sweep[^1].CapBytes);
        Assert.All(sweep, p => Assert.True(p.OptimalPeakBytes <= p.CapBytes));
        for (int i = 1; i < sweep.Count; i++)
            Assert.True(sweep[i].OptimalStepSeconds <= sweep[i - 1].OptimalStepSeconds, "a looser cap never makes the optimum slower");
        Assert.True(sweep[0].OptimalStepSeconds > sweep[^1].OptimalStepSeconds, "the front must show a trade, not a flat line");
    }

    [Fact]
    public void Given_an_ordinary_chain_When_swept_Then_the_sweep_still_starts_at_the_smallest_reachable_peak()
    {
        var profile = TestProfiles.Random(new Random(5), 10);
        var model = TidyCosts.Model(profile, NoTidyPatterns.Empty);
        long oracle = model.PeakBytes(new ExhaustiveSolver(model, 10).MinimumPeak(TimeSpan.FromMinutes(1)).Segments!);

        var sweep = Plan(profile, "100%", sweep: true).Plan.Sweep;

        Assert.Equal(oracle, sweep[0].CapBytes);
        Assert.Equal(model.PeakBytes(Baselines.None(10)), sweep[^1].CapBytes);
    }

    [Fact]
    public void Given_range_0_percent_and_the_default_headroom_When_planned_Then_no_plan_fits_and_ACKPT040_says_so()
    {
        var e = Assert.Throws<AckptException>(() => Plan(TestProfiles.SingleOpChain(12), "range:0%", headroom: MemoryCap.ParseHeadroom("2%")));
        Assert.Equal(ErrorCodes.InfeasibleCap, e.Code);
    }
}
