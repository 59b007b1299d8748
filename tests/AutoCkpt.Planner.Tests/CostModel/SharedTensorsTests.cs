using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using Xunit;
using static AutoCkpt.Testing.TestProfiles;

namespace AutoCkpt.Planner.Tests.CostModel;

/// <summary>
/// Tensors held by two (docs/cost-model.md): a stage input the model's forward holds to the end of the step, and a stage
/// output the stage itself saves. The hand-worked example of <see cref="CostModelTests"/> (bytes in MB, F = 100 MB).
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

    [Fact]
    public void Given_a_stage_that_saves_its_output_When_kept_Then_the_output_stays_to_the_end_of_its_own_backward()
    {
        // s0 saves its output (10 MB): s1's forward no longer frees it with its handle (I = 10 before), and s0's own
        // backward frees it (D + 10). Before: 100, 135, 130, 176, 160, 184, 180, 185, 192, 168, 177, 133, 141, 103, 100.
        var model = new StepCostModel(With(Example, 0, s => s with { SavedOutputBytes = 10 * MB }));
        long[] expected = [100, 135, 130, 176, 170, 194, 190, 195, 202, 178, 187, 143, 151, 103, 100];
        Assert.Equal(expected, model.Series(Baselines.None(3)).Select(p => p.Bytes / MB));
    }

    [Fact]
    public void Given_a_stage_that_saves_its_output_and_a_next_stage_that_saves_it_too_When_kept_Then_the_next_backward_leaves_it_to_the_first()
    {
        // s1 saves its output and s2 saves its input, the same 10 MB: s2's backward frees 2 where it freed 12, and s1's
        // frees 35 where it freed 25. Before: ..., 192, 168, 177, 133, 141, 103, 100.
        var model = new StepCostModel(With(Example, 1, s => s with { SavedOutputBytes = 10 * MB }));
        long[] expected = [100, 135, 130, 176, 160, 184, 180, 185, 192, 178, 187, 133, 141, 103, 100];
        Assert.Equal(expected, model.Series(Baselines.None(3)).Select(p => p.Bytes / MB));
    }

    [Fact]
    public void Given_a_recomputed_segment_whose_stages_share_a_saved_output_When_re_run_Then_the_link_stays_where_the_first_saved_it()
    {
        // Inside a segment the runtime disposes the link between s0 and s1 as the chain does, and the model's forward holds
        // nothing there: only s0's own saving keeps it (s1, which does not save its input, frees none of it).
        var saving = new StepCostModel(With(Example, 0, s => s with { SavedOutputBytes = 10 * MB }));
        var held = new StepCostModel(With(Example, 1, s => s with { InputHeldBytes = 10 * MB }));
        var plain = new StepCostModel(Example);
        var segment = new[] { new Segment(0, 2, SegmentStrategy.Recompute) };
        Assert.Equal(plain.PeakBytes(segment) + 10 * MB, saving.PeakBytes(segment));
        Assert.Equal(plain.PeakBytes(segment), held.PeakBytes(segment));
    }
}
