using AutoCkpt.Examples.Gpt2;
using AutoCkpt.Examples.ResNet;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Plans;
using TorchSharp;
using Xunit;

namespace AutoCkpt.Examples.Tests;

public sealed class PlanGradientTests
{
    [Fact]
    public void Given_a_plan_with_recompute_segments_When_the_tiny_gpt2_takes_a_step_with_dropout_Then_its_gradients_equal_the_plain_models()
    {
        var plan = Segments([new(0, 2, SegmentStrategy.Recompute), new(3, 3, SegmentStrategy.Keep), new(4, 4, SegmentStrategy.Recompute), new(5, 7, SegmentStrategy.Keep)]);
        AssertSameGradients(() => new Gpt2Tiny(), plan);
    }

    [Fact]
    public void Given_units_recomputing_their_attention_When_the_tiny_gpt2_takes_a_step_with_dropout_Then_its_gradients_equal_the_plain_models()
    {
        // Stages: embeddings, blocks 0-5 (1-6), head. The attention's SDPA draws its dropout again in the recompute.
        var plan = Segments([new(0, 0, SegmentStrategy.Keep), new(1, 1, SegmentStrategy.SubModule) { Option = "attn" }, new(2, 2, SegmentStrategy.Recompute),
            new(3, 3, SegmentStrategy.SubModule) { Option = "attn" }, new(4, 7, SegmentStrategy.Keep)]);
        AssertSameGradients(() => new Gpt2Tiny(), plan);
    }

    [Fact]
    public void Given_units_recomputing_their_attention_or_mlp_When_the_tiny_llama_takes_a_step_Then_its_gradients_equal_the_plain_models()
    {
        // Units: the six decoder blocks of the ModuleList; self_attn takes the rotary tables too.
        var plan = Segments([new(0, 0, SegmentStrategy.SubModule) { Option = "self_attn" }, new(1, 1, SegmentStrategy.SubModule) { Option = "mlp" },
            new(2, 2, SegmentStrategy.SubModule) { Option = "self_attn,mlp" }, new(3, 4, SegmentStrategy.Recompute), new(5, 5, SegmentStrategy.Keep)]);
        AssertSameGradients(() => new AutoCkpt.Examples.Llama.LlamaTiny(), plan);
    }

    [Fact]
    public void Given_every_stage_recomputed_When_the_resnet_takes_a_step_with_batch_norm_Then_its_gradients_equal_the_plain_models()
    {
        AssertSameGradients(() => new ResNetSmall(), Enumerable.Range(0, 10).Select(i => new Segment(i, i, SegmentStrategy.Recompute)).ToList());
    }

    private static IReadOnlyList<Segment> Segments(IReadOnlyList<Segment> s) => s;

    /// <summary>A fresh target per run, so that both runs see the same first batch.</summary>
    private static void AssertSameGradients(Func<ICheckpointTarget> target, IReadOnlyList<Segment> segments)
    {
        var plain = Gradients(target(), segments: null);
        var planned = Gradients(target(), segments);
        Assert.Equal(plain.Count, planned.Count);
        for (int i = 0; i < plain.Count; i++)
            Assert.True(plain[i].SequenceEqual(planned[i]),
                $"parameter {i}'s gradient differs: max |diff| {plain[i].Zip(planned[i], (a, b) => Math.Abs(a - b)).Max()}, max |g| {plain[i].Max(Math.Abs)}");
    }

    /// <summary>One training step from the target's seed, on its first batch; every parameter's gradient as floats.</summary>
    private static List<float[]> Gradients(ICheckpointTarget target, IReadOnlyList<Segment>? segments)
    {
        using var scope = torch.NewDisposeScope();
        var model = target.CreateModel(torch.CPU);
        var (x, y) = target.CreateBatch(torch.CPU, 4);
        torch.nn.Module<torch.Tensor, torch.Tensor> run = model;
        if (segments is not null)
        {
            var plan = new Plan
            {
                Target = target.Name,
                Model = new ModelInfo(Checkpointing.Units(model).Fingerprint, segments[^1].Last + 1),
                Device = new DeviceInfo("cpu", "test"),
                BatchSize = 4,
                MemoryCapBytes = 1L << 40,
                Segments = segments,
            };
            run = Checkpointing.Apply(model, plan);
        }
        run.train();
        torch.manual_seed(7);
        target.Loss(run.call(x), y).backward();
        return model.parameters().Select(p => p.grad!.data<float>().ToArray()).ToList();
    }
}
