using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using Xunit;
using static AutoCkpt.Testing.TestProfiles;

namespace AutoCkpt.Planner.Tests.CostModel;

/// <summary>
/// Tensors held by two (docs/cost-model.md): a stage input the model's forward holds to the end of the step, and a stage
/// output the stage itself saves, held to that stage's backward where it is kept. The hand-worked example of <see cref="CostModelTests"/> (bytes in MB, F = 100 MB).
/// </summary>
public sealed class SharedTensorsTests
{
    private const long MB = 1_000_000;

    // name, f, b, O, R, FT, BT, D, I: s1 does not save its input (I = O0), s2 does (I = 0, its D frees it).
    private static readonly Profile Example = Of(100 * MB,
        Stage("s0", 1, 2, 10 * MB, 30 * MB, 5 * MB, 8 * MB, 20 * MB, 0),
        Stage("s1", 2, 4, 10 * MB, 40 * MB, 6 * MB, 9 * MB, 25 * MB, 10 * MB),
        Stage("s2", 1, 2, 5 * MB, 20 * MB, 4 * MB, 7 * MB, 12 * MB, 0));

    private static Profile With(Profile p, int stage, Func<StageProfile, StageProfile> change) =>
        p with { Stages = [.. p.Stages.Select((s, i) => i == stage ? change(s) : s)] };

    [Fact]
    public void Given_a_profile_without_the_keys_When_modelled_Then_the_figures_and_every_prediction_are_as_before()
    {
        var model = new StepCostModel(Example);
        Assert.All(model.Shared.Stages.Zip(Example.Stages), x => Assert.Same(x.Second, x.First));
        Assert.Equal(192 * MB, model.PeakBytes(Baselines.None(3)));
        Assert.Equal(174 * MB, model.PeakBytes(Baselines.EveryStage(3)));
    }

    // s0 and s1 save their outputs (10 MB each, as an LSTM does). s1 does not save its input (its handle freed s0's
    // output), s2 does (its backward freed s1's output).
    private static Profile Saving => With(With(Example, 0, s => s with { SavedOutputBytes = 10 * MB }), 1, s => s with { SavedOutputBytes = 10 * MB });

    [Fact]
    public void Given_stages_that_save_their_outputs_When_all_are_kept_Then_each_output_is_freed_by_the_backward_of_the_stage_that_made_it()
    {
        // s1's handle frees none of s0's output (forward levels +10 from s1 on), s2's backward frees 2 where it freed 12:
        // s1's backward frees s1's output (35) and s0's backward s0's output (30).
        var points = new StepCostModel(Saving).Series(Baselines.None(3));
        long[] expected = [100, 135, 130, 176, 170, 194, 190, 195, 202, 188, 197, 143, 151, 103, 100];
        Assert.Equal(expected, points.Select(p => p.Bytes / MB));
    }

    [Fact]
    public void Given_a_saved_output_freed_early_in_its_stages_backward_When_all_are_kept_Then_that_backward_peaks_without_it()
    {
        // s0's backward frees 5 MB of its saved output before its peak: the peak is 151 − 5, the rest unchanged.
        var early = With(Saving, 0, s => s with { SavedOutputFreedEarlyBytes = 5 * MB });
        long[] expected = [100, 135, 130, 176, 170, 194, 190, 195, 202, 188, 197, 143, 146, 103, 100];
        Assert.Equal(expected, new StepCostModel(early).Series(Baselines.None(3)).Select(p => p.Bytes / MB));
    }

    [Fact]
    public void Given_a_stage_that_saves_its_output_When_it_ends_a_recompute_segment_Then_the_kept_stage_after_it_frees_it_as_if_unsaved()
    {
        // A recompute segment's output is made without autograd: nothing saves it. After s0 recomputed, s1's handle frees
        // s0's output (s1's forward ends at 140, as without the figure; counted regardless it read 150, the over-count
        // that took the rule out before).
        var model = new StepCostModel(Saving);
        var plain = new StepCostModel(Example);
        Segment[] first = [new(0, 0, SegmentStrategy.Recompute), new(1, 2, SegmentStrategy.Keep)];
        Assert.Equal(140 * MB, model.Series(first).Last(x => x.Phase == StepPhase.Forward && x.Stage == 1).Bytes);
        Assert.Equal(plain.PeakBytes(first), model.PeakBytes(first));
        // After s0-s1 recomputed, s2 frees s1's output after its backward (118, as without the figure), not s1.
        Segment[] two = [new(0, 1, SegmentStrategy.Recompute), new(2, 2, SegmentStrategy.Keep)];
        Assert.Equal(118 * MB, model.Series(two).Last(x => x.Phase == StepPhase.Backward && x.Stage == 2).Bytes);
        Assert.Equal(plain.PeakBytes(two), model.PeakBytes(two));
        Assert.Equal([0, 10 * MB, 10 * MB], model.Shared.KeptInputRelease);
        Assert.Equal([0, 10 * MB, 0], model.Shared.KeptHandleRelease);
    }

    [Fact]
    public void Given_a_kept_stage_that_saves_its_output_When_a_recompute_segment_follows_Then_its_own_backward_frees_it()
    {
        // Keep s0, recompute s1-s2: s0's autograd holds its output after s1's segment ran; s0's backward frees it
        // (105 after it, where the walk without the figure never freed it: 115).
        Segment[] plan = [new(0, 0, SegmentStrategy.Keep), new(1, 2, SegmentStrategy.Recompute)];
        long AfterS0(Profile p) => new StepCostModel(p).Series(plan).Last(x => x.Phase == StepPhase.Backward && x.Stage == 0).Bytes;
        Assert.Equal(105 * MB, AfterS0(Saving));
        Assert.Equal(115 * MB, AfterS0(Example));
        Assert.Equal(207 * MB, new StepCostModel(Saving).PeakBytes(plan));
    }

    [Fact]
    public void Given_an_input_the_forward_holds_When_its_unit_recomputes_a_sub_module_Then_its_backward_frees_none_of_it_as_when_kept()
    {
        // s2 saves its input (s1's output, 10 MB); the model's forward holds it too. Kept whole or recomputing a
        // sub-module, s2's backward then frees 10 MB less of it, and so does what follows.
        var sub = new SubModuleFigures("attn", 12 * MB, 2 * MB, 5 * MB, 9 * MB, 0.5);
        var plain = With(Example, 2, s => s with { SubModules = [sub] });
        var held = With(plain, 2, s => s with { InputHeldBytes = 10 * MB });
        Segment[] keep = [new(0, 1, SegmentStrategy.Keep), new(2, 2, SegmentStrategy.Keep)];
        Segment[] part = [new(0, 1, SegmentStrategy.Keep), new(2, 2, SegmentStrategy.SubModule) { Option = "attn" }];
        long AfterBackward(Profile p, Segment[] plan, int stage) =>
            new StepCostModel(p).Series(plan).Last(x => x.Phase == StepPhase.Backward && x.Stage == stage && !x.IsTransientPeak).Bytes;
        foreach (int stage in new[] { 2, 1 })
        {
            Assert.Equal(10 * MB, AfterBackward(held, keep, stage) - AfterBackward(plain, keep, stage));
            Assert.Equal(10 * MB, AfterBackward(held, part, stage) - AfterBackward(plain, part, stage));
        }
        Assert.Equal(9 * MB - 10 * MB, new StepCostModel(held).Shared.Stages[2].SubModules[0].BackwardFreedBytes);
    }

    [Fact]
    public void Given_an_input_the_forward_holds_When_every_stage_is_recomputed_Then_no_segment_frees_it_and_the_peak_rises_by_it()
    {
        // s2's input (s1's output, 10 MB) is held by the model's forward to the end of the step: s2's segment no longer
        // frees it after its backward (disposals 125, 115, 105 before), so s1's backward peaks at 184 where it peaked at 174.
        var model = new StepCostModel(With(Example, 2, s => s with { InputHeldBytes = 10 * MB }));
        var disposals = model.Series(Baselines.EveryStage(3)).Where(x => x.Phase == StepPhase.Dispose).Select(x => x.Bytes / MB);
        Assert.Equal([135L, 125L, 115L], disposals);
        Assert.Equal(184 * MB, model.PeakBytes(Baselines.EveryStage(3)));
    }

    [Fact]
    public void Given_an_input_the_forward_holds_When_its_stage_is_kept_Then_neither_its_handle_nor_its_backward_frees_it()
    {
        // s1 does not save its input: its handle freed 10 MB after s1's forward; held, it stays (forward levels +10 from
        // s1 on). s2 saves its input: its backward freed it (D = 12); held, it frees 2.
        var held = With(With(Example, 1, s => s with { InputHeldBytes = 10 * MB }), 2, s => s with { InputHeldBytes = 10 * MB });
        var points = new StepCostModel(held).Series(Baselines.None(3));
        long[] expected = [100, 135, 130, 176, 170, 194, 190, 195, 202, 188, 197, 153, 161, 123, 100];
        Assert.Equal(expected, points.Select(p => p.Bytes / MB));
    }

}
