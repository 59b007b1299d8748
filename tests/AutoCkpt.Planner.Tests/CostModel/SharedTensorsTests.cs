using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using Xunit;
using static AutoCkpt.Testing.TestProfiles;

namespace AutoCkpt.Planner.Tests.CostModel;

/// <summary>
/// Tensors held by two (docs/cost-model.md): a stage input the model's forward holds to the end of the step (a stage
/// output the stage itself saves is measured but not modelled). The hand-worked example of <see cref="CostModelTests"/> (bytes in MB, F = 100 MB).
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
    public void Given_a_stage_that_saves_its_output_When_modelled_Then_nothing_changes_until_keep_arcs_see_the_arc_before_them()
    {
        // saved_output_bytes is measured but not modelled (docs/cost-model.md): counted whatever runs the stage before,
        // it over-predicted suite-conv-bn-dropout's uniform_4 by 6%.
        var model = new StepCostModel(With(With(Example, 0, s => s with { SavedOutputBytes = 10 * MB }), 1, s => s with { SavedOutputBytes = 10 * MB }));
        Assert.Equal(192 * MB, model.PeakBytes(Baselines.None(3)));
        Assert.Equal(174 * MB, model.PeakBytes(Baselines.EveryStage(3)));
        Assert.Equal(model.Shared.RecomputeInputFreed, new StepCostModel(Example).Shared.RecomputeInputFreed);
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
