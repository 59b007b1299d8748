using AutoCkpt.Formats.Plans;
using AutoCkpt.Runtime.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.InPlace;

/// <summary>
/// Multi-level recompute segments applied in place train bit-identically to the plain model on the CPU: losses, every
/// gradient at every step, parameters, buffers (batch norm's running statistics) and the random stream (dropout).
/// </summary>
public sealed class NestedRecomputeTests
{
    private const int Steps = 3;

    /// <summary>Units first..last recomputed, the recompute checkpointing first..last−1 (itself sequential) and keeping last.</summary>
    private static Segment Sequential(int first, int last) => new(first, last, SegmentStrategy.Recompute)
    {
        Inner = [last - 1 > first ? Sequential(first, last - 1) : new Segment(first, first, SegmentStrategy.Recompute), new Segment(last, last, SegmentStrategy.Keep)],
    };

    /// <summary>Units first..last recomputed, the recompute checkpointing runs of <paramref name="k"/> units and keeping the rest.</summary>
    private static Segment Uniform(int first, int last, int k)
    {
        var inner = new List<Segment>();
        int at = first;
        for (; at + k <= last; at += k) inner.Add(new Segment(at, at + k - 1, SegmentStrategy.Recompute));
        inner.Add(new Segment(at, last, SegmentStrategy.Keep));
        return new Segment(first, last, SegmentStrategy.Recompute) { Inner = inner };
    }

    private static Segment Keep(int first, int last) => new(first, last, SegmentStrategy.Keep);

    private static Segment Flat(int first, int last) => new(first, last, SegmentStrategy.Recompute);

    public static TheoryData<BlockInputs, string> LlamaPlans => new()
    {
        { BlockInputs.Rotary, "sequential 0-3" },
        { BlockInputs.Mask, "sequential 0-3" },
        { BlockInputs.Rotary, "uniform1 0-3" },
        { BlockInputs.Rotary, "nested inside nested" },
        { BlockInputs.Mask, "beside flat and kept" },
    };

    private static IReadOnlyList<Segment> Segments(string plan) => plan switch
    {
        "sequential 0-3" => [Sequential(0, 3)],
        "uniform1 0-3" => [Uniform(0, 3, 1)],
        // 0..3: the recompute checkpoints 0..2, whose own recompute checkpoints 0 and 1 and keeps 2; 3 kept.
        "nested inside nested" => [new Segment(0, 3, SegmentStrategy.Recompute) { Inner = [Uniform(0, 2, 1), Keep(3, 3)] }],
        "beside flat and kept" => [Flat(0, 0), Sequential(1, 2), Keep(3, 3)],
        _ => throw new ArgumentException(plan),
    };

    [Theory]
    [MemberData(nameof(LlamaPlans))]
    public void Given_a_llama_style_decoder_with_dropout_When_trained_with_a_multi_level_plan_Then_training_is_bit_identical(BlockInputs inputs, string plan)
    {
        var batches = Batches();
        using var expected = Trainer.Run(new LlamaLike(inputs, blocks: 4), batches, LlamaLike.Loss);
        var model = new LlamaLike(inputs, blocks: 4);
        AutoCkpt.Checkpointing.Apply(model, Plans.For(model, "k0-3") with { Segments = Segments(plan) });
        using var actual = Trainer.Run(model, batches, LlamaLike.Loss);
        Same.Training(expected, actual);
        Assert.All(model.Info().Fires.Values, fired => Assert.Equal(1, fired));
        Assert.True(model.Info().Plan.IsNested);
    }

    [Fact]
    public void Given_a_frozen_base_with_lora_adapters_and_token_input_When_trained_sequentially_nested_Then_training_is_bit_identical()
    {
        var batches = Batches();
        using var expected = Trainer.Run(new LlamaLike(BlockInputs.Rotary, blocks: 4, lora: true), batches, LlamaLike.Loss);
        var model = new LlamaLike(BlockInputs.Rotary, blocks: 4, lora: true);
        AutoCkpt.Checkpointing.Apply(model, Plans.For(model, "k0-3") with { Segments = [Sequential(0, 3)] });
        using var actual = Trainer.Run(model, batches, LlamaLike.Loss);
        Same.Training(expected, actual);
    }

    [Fact]
    public void Given_batch_norm_and_dropout_stages_When_trained_with_nested_segments_Then_running_statistics_and_masks_are_bit_identical()
    {
        var batches = TestModels.Batches(Steps, 16, float32);
        using var expected = Trainer.Run(TestModels.Mlp(float32), batches, TestModels.MseLoss);
        var model = TestModels.Mlp(float32);
        AutoCkpt.Checkpointing.Apply(model, Plans.For(model, "k0-7") with { Segments = [Uniform(0, 4, 2), Sequential(5, 7)] });
        using var actual = Trainer.Run(model, batches, TestModels.MseLoss);
        Same.Training(expected, actual);
    }

    [Fact]
    public void Given_units_that_begin_with_an_in_place_relu_When_trained_with_a_nested_segment_Then_training_is_bit_identical()
    {
        var batches = TestModels.Batches(Steps, 16, float32);
        using var expected = Trainer.Run(InPlaceRelu(), batches, TestModels.MseLoss);
        var model = InPlaceRelu();
        AutoCkpt.Checkpointing.Apply(model, Plans.For(model, "k0-5") with { Segments = [Keep(0, 0), Sequential(1, 5)] });
        using var actual = Trainer.Run(model, batches, TestModels.MseLoss);
        Same.Training(expected, actual);
    }

    [Fact]
    public void Given_a_nested_plan_written_and_read_When_applied_Then_it_trains_bit_identically_and_reports_its_segments()
    {
        var batches = Batches();
        using var expected = Trainer.Run(new LlamaLike(BlockInputs.Rotary, blocks: 4), batches, LlamaLike.Loss);
        var model = new LlamaLike(BlockInputs.Rotary, blocks: 4);
        string path = Path.Combine(Path.GetTempPath(), $"nested-{Guid.NewGuid():N}.plan.yaml");
        try
        {
            PlanFile.Write(path, Plans.For(model, "k0-3") with { Segments = [Uniform(0, 3, 2)] });
            Assert.Contains("inner: \"0\"", File.ReadAllText(path));
            AutoCkpt.Checkpointing.Apply(model, path);
        }
        finally
        {
            File.Delete(path);
        }
        using var actual = Trainer.Run(model, batches, LlamaLike.Loss);
        Same.Training(expected, actual);
        Assert.Equal(Uniform(0, 3, 2), model.Info().Plan.Segments.Single());
        Assert.Equal(4, model.Info().RecomputedUnits);
    }

    private static nn.Module<Tensor, Tensor> InPlaceRelu()
    {
        torch.manual_seed(5);
        return nn.Sequential(
            ("0", nn.ReLU(inplace: true)), ("1", nn.Linear(TestModels.Features, 16)),
            ("2", nn.ReLU(inplace: true)), ("3", nn.Linear(16, 16)),
            ("4", nn.ReLU(inplace: true)), ("5", nn.Linear(16, TestModels.Outputs)));
    }

    private static IReadOnlyList<(Tensor Input, Tensor Target)> Batches() =>
        [.. Enumerable.Range(0, Steps).Select(i => LlamaLike.Batch(100 + i))];
}
