using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Solvers;
using Xunit;

namespace AutoCkpt.Planner.Tests.Solvers;

/// <summary>
/// Saved outputs on measured profiles (docs/cost-model.md, "Saved outputs: a rule on two arcs"): the accuracy suite's
/// suite-recurrent (an LSTM that saves its output, batch 32) and suite-conv-bn-dropout (ReLU-ending stages whose saved
/// outputs go early in their backward, batch 16), as `autockpt profile` wrote them (2-core CPU VM, commit 322f369). At caps
/// from the least peak to no checkpointing, the dynamic program, SCIP and CP-SAT plan what the exhaustive oracle plans.
/// </summary>
public sealed class SavedOutputOracleTests
{
    private const string Recurrent = """
format: autockpt-profile/1
target: "suite-recurrent"
model: { fingerprint: "sha256:22fc52cc2ab7810236537934726a6540717b199940e64ac6e334f24c3991216e", stages: 5 }
device: { type: cpu, name: "AMD EPYC (2 cores)" }
dtype: float32
batch_size: 32
input_shape: 32x64
fixed_bytes: { parameters: 4474880, gradients: 4474880, optimizer_state: 9029552, batch: 32768 }
stages:
  - name: "embed"
    forward_seconds: 0.00977915
    backward_seconds: 0.00465795
    output_bytes: 2097152
    retained_bytes: 4202592
    forward_transient_bytes: 2101040
    backward_transient_bytes: 2105344
    backward_freed_bytes: 2101584
    recompute: { retained_bytes: 4202672, backward_transient_bytes: 2101248, backward_freed_bytes: 1834592 }
    tidy: { retained_bytes: 4202592, forward_transient_bytes: 2101152, backward_transient_bytes: 2105344, backward_freed_bytes: 2101696 }
  - name: "gru"
    forward_seconds: 0.11438380000000001
    backward_seconds: 0.207574
    output_bytes: 2097152
    retained_bytes: 20080144
    forward_transient_bytes: 4758000
    backward_transient_bytes: 6471680
    backward_freed_bytes: 15147952
    input_freed_bytes: 2097632
    recompute: { retained_bytes: 20082112, backward_transient_bytes: 5603328, backward_freed_bytes: 13595264 }
    tidy: { retained_bytes: 20079008, forward_transient_bytes: 4855632, backward_transient_bytes: 2744320, backward_freed_bytes: 15180848 }
  - name: "lstm"
    forward_seconds: 0.04384005
    backward_seconds: 0.07269665
    output_bytes: 2097152
    retained_bytes: 44139824
    forward_transient_bytes: 45124304
    backward_transient_bytes: 53809152
    backward_freed_bytes: 41965008
    input_freed_bytes: 32
    saved_output_bytes: 2096736
    recompute: { retained_bytes: 44139216, backward_transient_bytes: 51703808, backward_freed_bytes: 37818336 }
    tidy: { retained_bytes: 44139872, forward_transient_bytes: 45124048, backward_transient_bytes: 53809152, backward_freed_bytes: 42035504 }
  - name: "proj"
    forward_seconds: 0.02363315
    backward_seconds: 0.019333799999999998
    output_bytes: 2097152
    retained_bytes: 6323552
    forward_transient_bytes: 0
    backward_transient_bytes: 2105344
    backward_freed_bytes: 4220416
    input_freed_bytes: 32
    recompute: { retained_bytes: 6323104, backward_transient_bytes: 2367488, backward_freed_bytes: 1847376 }
    tidy: { retained_bytes: 6323552, forward_transient_bytes: 0, backward_transient_bytes: 2105344, backward_freed_bytes: 4220688 }
    save_matmuls: { kept_bytes: 2097152, recompute_seconds: 0.0121912 }
  - name: "head"
    forward_seconds: 0.0143778
    backward_seconds: 0.01303585
    output_bytes: 2097152
    retained_bytes: 4204816
    forward_transient_bytes: 0
    backward_transient_bytes: 2105344
    backward_freed_bytes: 2100864
    recompute: { retained_bytes: 2101504, backward_transient_bytes: 2370320, backward_freed_bytes: -2370752 }
    tidy: { retained_bytes: 4204608, forward_transient_bytes: 0, backward_transient_bytes: 2105344, backward_freed_bytes: 2100400 }
check: { forward_retained_bytes_measured: 76796640, step_seconds_measured: 0.3791652, step_seconds_spread: 0.080899, stage_seconds_spread: 0.2359946 }
step_time: { step_seconds: 0.27569935, recompute_segment_seconds: 0.0023646949727705565 }
""";

    private const string ConvBnDropout = """
format: autockpt-profile/1
target: "suite-conv-bn-dropout"
model: { fingerprint: "sha256:696a1cb9c832d5d31cb232875e5b123c7afe77df8b5fc0b3fd53e77ed9558bac", stages: 7 }
device: { type: cpu, name: "AMD EPYC (2 cores)" }
dtype: float32
batch_size: 16
input_shape: 16x3x48x48
fixed_bytes: { parameters: 1158616, gradients: 1154984, optimizer_state: 1182240, batch: 442496 }
stages:
  - name: "stem"
    forward_seconds: 0.0381699
    backward_seconds: 0.0574565
    output_bytes: 4718592
    retained_bytes: 9448944
    forward_transient_bytes: 4719056
    backward_transient_bytes: 9449472
    backward_freed_bytes: 4723376
    saved_output_bytes: 4718592
    saved_output_freed_early_bytes: 4718592
    recompute: { retained_bytes: 9449056, backward_transient_bytes: 14168064, backward_freed_bytes: 4717472 }
    tidy: { retained_bytes: 9448960, forward_transient_bytes: 4718992, backward_transient_bytes: 9449472, backward_freed_bytes: 4723664 }
  - name: "s1"
    forward_seconds: 0.0434567
    backward_seconds: 0.13568385
    output_bytes: 4718592
    retained_bytes: 14174336
    forward_transient_bytes: 96128
    backward_transient_bytes: 4857856
    backward_freed_bytes: 9448736
    recompute: { retained_bytes: 14173712, backward_transient_bytes: 9576448, backward_freed_bytes: 4686144 }
    tidy: { retained_bytes: 14174416, forward_transient_bytes: 124640, backward_transient_bytes: 4857856, backward_freed_bytes: 9448800 }
  - name: "s2"
    forward_seconds: 0.0281104
    backward_seconds: 0.06041655
    output_bytes: 2359296
    retained_bytes: 4731072
    forward_transient_bytes: 2432752
    backward_transient_bytes: 11808768
    backward_freed_bytes: 2364560
    saved_output_bytes: 2359264
    saved_output_freed_early_bytes: 2359264
    recompute: { retained_bytes: 4730656, backward_transient_bytes: 14168064, backward_freed_bytes: -2438800 }
    tidy: { retained_bytes: 4731152, forward_transient_bytes: 2432720, backward_transient_bytes: 11808768, backward_freed_bytes: 2364880 }
  - name: "s3"
    forward_seconds: 0.03362535
    backward_seconds: 0.10004315
    output_bytes: 2359296
    retained_bytes: 7098864
    forward_transient_bytes: 0
    backward_transient_bytes: 2678784
    backward_freed_bytes: 4732560
    recompute: { retained_bytes: 7098480, backward_transient_bytes: 5038080, backward_freed_bytes: 2214656 }
    tidy: { retained_bytes: 7098928, forward_transient_bytes: 0, backward_transient_bytes: 2678784, backward_freed_bytes: 4732272 }
  - name: "s4"
    forward_seconds: 0.0090301
    backward_seconds: 0.0178626
    output_bytes: 1179648
    retained_bytes: 2372352
    forward_transient_bytes: 1473744
    backward_transient_bytes: 5910528
    backward_freed_bytes: 1185728
    saved_output_bytes: 1179616
    saved_output_freed_early_bytes: 1179616
    recompute: { retained_bytes: 2371904, backward_transient_bytes: 7090176, backward_freed_bytes: -1480304 }
    tidy: { retained_bytes: 2372416, forward_transient_bytes: 1473712, backward_transient_bytes: 5910528, backward_freed_bytes: 1185712 }
  - name: "s5"
    forward_seconds: 0.01433865
    backward_seconds: 0.01600825
    output_bytes: 1179648
    retained_bytes: 3564544
    forward_transient_bytes: 0
    backward_transient_bytes: 1781760
    backward_freed_bytes: 2377680
    recompute: { retained_bytes: 3564048, backward_transient_bytes: 2961408, backward_freed_bytes: 596464 }
    tidy: { retained_bytes: 3564528, forward_transient_bytes: 0, backward_transient_bytes: 1781760, backward_freed_bytes: 2377744 }
  - name: "head"
    forward_seconds: 0.0059042
    backward_seconds: 0.0080177
    output_bytes: 640
    retained_bytes: 11184
    forward_transient_bytes: 0
    backward_transient_bytes: 1183104
    backward_freed_bytes: -1175712
    input_freed_bytes: 1183744
    recompute: { retained_bytes: 9168, backward_transient_bytes: 1183744, backward_freed_bytes: -1182960 }
    tidy: { retained_bytes: 11216, forward_transient_bytes: 0, backward_transient_bytes: 1183104, backward_freed_bytes: -1175296 }
    save_matmuls: { kept_bytes: 640, recompute_seconds: 0.0059042 }
check: { forward_retained_bytes_measured: 40223744, step_seconds_measured: 0.4515601, step_seconds_spread: 0.27992700000000004, stage_seconds_spread: 0.31540260000000003 }
step_time: { step_seconds: 0.5715823, recompute_segment_seconds: 0.029869292857142852 }
""";

    public static TheoryData<string, PlannerSolver> Cases => new()
    {
        { "recurrent", PlannerSolver.Exact }, { "recurrent", PlannerSolver.Mip }, { "recurrent", PlannerSolver.CpSat },
        { "conv", PlannerSolver.Exact }, { "conv", PlannerSolver.Mip }, { "conv", PlannerSolver.CpSat },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Given_a_measured_profile_with_saved_outputs_When_planned_from_the_least_peak_to_none_Then_the_solver_matches_the_oracle(string which, PlannerSolver solver)
    {
        var profile = ProfileFile.Parse(which == "recurrent" ? Recurrent : ConvBnDropout, which);
        int n = profile.Stages.Count;
        var model = TidyCosts.Model(profile, NoTidyPatterns.Empty);
        // The rule moves this profile's predicted memory (on suite-recurrent its peaks; on suite-conv-bn-dropout, whose
        // saved outputs go before the backward peaks, points below them).
        var without = TidyCosts.Model(profile with { Stages = [.. profile.Stages.Select(s => s with { SavedOutputBytes = 0, SavedOutputFreedEarlyBytes = 0 })] }, NoTidyPatterns.Empty);
        var plans = Baselines.Standard(n).Select(b => b.Segments).Concat(Enumerable.Range(0, n).Select(i => (IReadOnlyList<Segment>)Single(n, i))).ToList();
        Assert.Contains(plans, p => !model.Series(p).Select(x => x.Bytes).SequenceEqual(without.Series(p).Select(x => x.Bytes)));
        if (which == "recurrent") Assert.Contains(plans, p => model.PeakBytes(p) != without.PeakBytes(p));
        var least = new ExhaustiveSolver(model, n).MinimumPeak(TimeSpan.FromMinutes(1));
        long lo = model.PeakBytes(least.Segments!), hi = model.PeakBytes(Baselines.None(n));
        var ticks = TimeTicks.Of(profile);
        for (int k = 0; k <= 8; k++)
        {
            long cap = lo + (hi - lo) * k / 8;
            var space = CheckpointPlanner.SpaceFor(model, cap);
            var oracle = new ExhaustiveSolver(space, n).Solve(cap, TimeSpan.FromMinutes(1)).Segments;
            var plan = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = new MemoryCap(cap, null), Headroom = PlanRequest.NoHeadroom, Solver = solver, TimeLimitSeconds = 120 }).Plan;
            Assert.NotNull(oracle);
            Assert.Equal(TimeTicks.OfPlan(ticks, oracle), TimeTicks.OfPlan(ticks, plan.Segments));
            Assert.Equal(space.PeakBytes(oracle), plan.Predicted!.PeakBytes);
            Assert.True(plan.Predicted.PeakBytes <= cap);
        }
    }

    /// <summary>Unit <paramref name="i"/> recomputed alone, the rest kept.</summary>
    private static Segment[] Single(int n, int i) =>
        [.. new[] { (0, i - 1, SegmentStrategy.Keep), (i, i, SegmentStrategy.Recompute), (i + 1, n - 1, SegmentStrategy.Keep) }
            .Where(x => x.Item1 <= x.Item2).Select(x => new Segment(x.Item1, x.Item2, x.Item3))];
}
