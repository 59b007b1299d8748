using AutoCkpt.Runtime.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.InPlace;

/// <summary>
/// Plans applied in place to models written the way TorchSharp users write them train bit-identically to the plain
/// model on the CPU: losses, every gradient at every step, parameters, buffers and the random stream (dropout).
/// </summary>
public sealed class InPlaceEquivalenceTests
{
    private const int Steps = 3;

    public static TheoryData<BlockInputs, string> LlamaPlans => new()
    {
        { BlockInputs.Rotary, "every" },
        { BlockInputs.Mask, "every" },
        { BlockInputs.Rotary, "r0-1 r2-3" },   // multi-unit segments: each block's first input is the previous block's output
        { BlockInputs.Mask, "r0-2 k3" },
        { BlockInputs.Rotary, "t0 r1 t2-3" },  // tidy kept units beside recomputed ones
        { BlockInputs.Rotary, "uniform2" },
    };

    [Theory]
    [MemberData(nameof(LlamaPlans))]
    public void Given_a_llama_style_decoder_with_a_tied_head_When_trained_with_a_plan_Then_training_is_bit_identical(BlockInputs inputs, string plan)
    {
        var batches = Batches();
        using var expected = Trainer.Run(new LlamaLike(inputs, blocks: 4), batches, LlamaLike.Loss);
        var model = Applied(new LlamaLike(inputs, blocks: 4), plan);
        using var actual = Trainer.Run(model, batches, LlamaLike.Loss);
        Same.Training(expected, actual);
        Assert.All(model.Info().Fires.Values, fired => Assert.Equal(1, fired));
    }

    [Theory]
    [InlineData("every")]
    [InlineData("r0-1 r2-3")]
    [InlineData("r0 k1 r2-3")]
    public void Given_a_frozen_base_with_lora_adapters_and_token_input_When_trained_with_a_plan_Then_training_is_bit_identical(string plan)
    {
        var batches = Batches();
        using var expected = Trainer.Run(new LlamaLike(BlockInputs.Rotary, blocks: 4, lora: true), batches, LlamaLike.Loss);
        using var actual = Trainer.Run(Applied(new LlamaLike(BlockInputs.Rotary, blocks: 4, lora: true), plan), batches, LlamaLike.Loss);
        Same.Training(expected, actual);
        Assert.Contains(expected.Gradients[0], g => g is null);  // the base got no gradient...
        Assert.Contains(expected.Gradients[0], g => g is not null); // ...the adapters did
    }

    [Theory]
    [InlineData("every")]
    [InlineData("r0-3")]
    public void Given_every_parameter_frozen_but_one_adapter_When_trained_with_a_plan_Then_training_is_bit_identical(string plan)
    {
        var batches = Batches();
        using var expected = Trainer.Run(OneAdapter(), batches, LlamaLike.Loss);
        using var actual = Trainer.Run(Applied(OneAdapter(), plan), batches, LlamaLike.Loss);
        Same.Training(expected, actual);
        Assert.Equal(2, expected.Gradients[0].Count(g => g is not null));
    }

    [Theory]
    [InlineData("r0 r1 r2 r3 r4 r5")]
    [InlineData("r0-1 r2-3 k4-5")]
    [InlineData("k0-1 r2-5")]
    public void Given_a_sequential_whose_units_begin_with_an_in_place_relu_When_trained_with_a_plan_Then_training_is_bit_identical(string plan)
    {
        var batches = TestModels.Batches(Steps, 16, float32);
        using var expected = Trainer.Run(InPlaceRelu(), batches, TestModels.MseLoss);
        using var actual = Trainer.Run(Applied(InPlaceRelu(), plan), batches, TestModels.MseLoss);
        Same.Training(expected, actual);
    }

    /// <summary>Linear and ReLU(inplace: true) alternating, a ReLU first: each ReLU unit changes its input in place.</summary>
    private static nn.Module<Tensor, Tensor> InPlaceRelu()
    {
        torch.manual_seed(5);
        return nn.Sequential(
            ("0", nn.ReLU(inplace: true)), ("1", nn.Linear(TestModels.Features, 16)),
            ("2", nn.ReLU(inplace: true)), ("3", nn.Linear(16, 16)),
            ("4", nn.ReLU(inplace: true)), ("5", nn.Linear(16, TestModels.Outputs)));
    }

    private static LlamaLike OneAdapter()
    {
        var model = new LlamaLike(BlockInputs.Rotary, blocks: 4, lora: true);
        foreach (var (name, p) in model.named_parameters())
            p.requires_grad = name.StartsWith("layers.1.layers.qkv.lora_", StringComparison.Ordinal);
        return model;
    }

    private static T Applied<T>(T model, string plan) where T : nn.Module => plan switch
    {
        "every" => AutoCkpt.Checkpointing.EveryUnit(model),
        "uniform2" => AutoCkpt.Checkpointing.Uniform(model, 2),
        _ => AutoCkpt.Checkpointing.Apply(model, Plans.For(model, plan)),
    };

    private static IReadOnlyList<(Tensor Input, Tensor Target)> Batches() =>
        [.. Enumerable.Range(0, Steps).Select(i => LlamaLike.Batch(100 + i))];
}
