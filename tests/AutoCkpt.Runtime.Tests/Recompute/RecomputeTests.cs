using AutoCkpt.Formats.Plans;
using AutoCkpt.Runtime.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Recompute;

/// <summary>What the runtime does to the stages, seen through forward hooks.</summary>
public sealed class RecomputeTests
{
    [Fact]
    public void Given_a_mixed_plan_When_a_step_runs_Then_recomputed_stages_run_twice_and_kept_stages_once()
    {
        var plain = TestModels.Mlp(float32);
        var model = AutoCkpt.Checkpointing.Apply(plain, Plans.For(plain, "r0-2 k3-4 r5-7"));
        var calls = CountStageCalls(plain);
        var (input, target) = TestModels.Batches(1, 16, float32)[0];
        using (torch.NewDisposeScope())
            TestModels.MseLoss(model.call(input), target).backward();
        Assert.Equal([2, 2, 2, 1, 1, 2, 2, 2], calls);
    }

    [Fact]
    public void Given_a_plan_without_recompute_When_the_model_runs_Then_the_models_own_forward_runs_once()
    {
        var plain = TestModels.Mlp(float32);
        var model = AutoCkpt.Checkpointing.Apply(plain, Plans.KeepAll(plain));
        int modelCalls = 0;
        plain.register_forward_hook((m, i, o) => { modelCalls++; return o; });
        var calls = CountStageCalls(plain);
        var (input, target) = TestModels.Batches(1, 16, float32)[0];
        using (torch.NewDisposeScope())
            TestModels.MseLoss(model.call(input), target).backward();
        Assert.Equal(1, modelCalls);
        Assert.Equal([1, 1, 1, 1, 1, 1, 1, 1], calls);
    }

    [Fact]
    public void Given_an_applied_plan_When_its_segments_are_read_Then_they_name_the_stages_and_strategies()
    {
        var gpt = new TinyGpt(blockCount: 2);
        var model = AutoCkpt.Checkpointing.Apply(gpt, Plans.For(gpt, "k0 r1-2 k3"));
        Assert.Equal(3, model.Segments.Count);
        Assert.Equal(new AppliedSegment(1, 2, SegmentStrategy.Recompute, ["blocks.0", "blocks.1"]) { }, model.Segments[1], SegmentComparer.Instance);
        Assert.Equal(2, model.RecomputedStages);
        Assert.Same(gpt, model.Model);
    }

    [Fact]
    public void Given_an_applied_plan_When_parameters_and_modes_are_used_Then_they_act_on_the_original_model()
    {
        var plain = TestModels.Mlp(float32);
        var model = AutoCkpt.Checkpointing.Apply(plain, Plans.EveryStage(plain));
        Assert.Equal(plain.parameters().Select(p => p.Handle), model.parameters().Select(p => p.Handle));
        model.eval();
        Assert.False(plain.training);
        model.train();
        Assert.True(plain.training);
        Assert.All(model.state_dict().Keys, k => Assert.StartsWith("model.", k));
    }

    private static int[] CountStageCalls(nn.Module model)
    {
        var stages = ModelStages.Of(model);
        var calls = new int[stages.Count];
        for (int i = 0; i < stages.Count; i++)
        {
            int index = i;
            stages[i].Module.register_forward_hook((m, input, output) => { calls[index]++; return output; });
        }
        return calls;
    }

    private sealed class SegmentComparer : IEqualityComparer<AppliedSegment>
    {
        public static readonly SegmentComparer Instance = new();
        public bool Equals(AppliedSegment? x, AppliedSegment? y) =>
            x is not null && y is not null && x.First == y.First && x.Last == y.Last && x.Strategy == y.Strategy && x.StageNames.SequenceEqual(y.StageNames);
        public int GetHashCode(AppliedSegment obj) => obj.First;
    }
}
