using AutoCkpt.Formats.Errors;
using AutoCkpt.Runtime.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Strategies.SubModule;

/// <summary>
/// Kept units that recompute a sub-module only (docs/selective.md, "Recompute a sub-module"): the sub-module's graph
/// is freed after its forward and rebuilt in the backward, from the same random state, the rest of the unit kept.
/// Training is bit-identical to the plain model on the CPU (losses, every gradient, parameters, dropout's stream).
/// </summary>
[Collection(Memory.MemoryCollection.Name)]
public sealed class SubModuleTests
{
    private const int Steps = 3;

    [Theory]
    [InlineData("k0[attn] k1[mlp] k2[attn.core]")]
    [InlineData("t0[attn,mlp] r1 t2[mlp]")]          // with tidy units and a whole-unit recompute beside
    [InlineData("k0[attn.core] k1[attn] r2")]
    public void Given_a_gpt2_style_model_with_dropout_When_trained_recomputing_sub_modules_Then_training_is_bit_identical(string plan)
    {
        var batches = SubModuleGpt.Batches(Steps);
        using var expected = Trainer.Run(new SubModuleGpt(), batches, SubModuleGpt.Loss);
        var model = new SubModuleGpt();
        using var actual = Trainer.Run(Checkpointing.Apply(model, Plans.For(model, plan)), batches, SubModuleGpt.Loss);
        Same.Training(expected, actual);
    }

    [Theory]
    [InlineData("k0[self_attn] k1[mlp] k2[self_attn,mlp]")]
    [InlineData("r0 t1[self_attn] k2")]
    public void Given_a_llama_style_decoder_When_trained_recomputing_sub_modules_Then_training_is_bit_identical(string plan)
    {
        var batches = Enumerable.Range(0, Steps).Select(i => LlamaLike.Batch(100 + i)).ToList();
        using var expected = Trainer.Run(new SubModuleLlama(), batches, LlamaLike.Loss);
        var model = new SubModuleLlama();
        using var actual = Trainer.Run(Checkpointing.Apply(model, Plans.For(model, plan)), batches, LlamaLike.Loss);
        Same.Training(expected, actual);
    }

    [Fact]
    public void Given_a_unit_recomputing_its_attention_When_a_step_runs_Then_only_the_attention_runs_again_in_the_backward()
    {
        var model = new SubModuleGpt(blockCount: 2).Counting();
        Checkpointing.Apply(model, Plans.For(model, "k0[attn] k1"));
        var (input, target) = SubModuleGpt.Batches(1)[0];
        using (NewDisposeScope())
        {
            var loss = SubModuleGpt.Loss(model.call(input), target);
            Assert.Equal(new Dictionary<string, int> { ["attn"] = 2, ["attn.core"] = 2, ["mlp"] = 2 }, model.Calls);
            loss.backward();
        }
        Assert.Equal(new Dictionary<string, int> { ["attn"] = 3, ["attn.core"] = 3, ["mlp"] = 2 }, model.Calls);
    }

    [Fact]
    public void Given_a_unit_recomputing_its_attention_When_the_forward_returns_Then_the_attention_holds_less()
    {
        var (input, _) = TinyGpt.Batches(1, batch: 8, tokens: 32)[0];
        long kept = RetainedAfterForward(new SubModuleGpt(blockCount: 2), "k0-1", input);
        long sub = RetainedAfterForward(new SubModuleGpt(blockCount: 2), "k0[attn] k1[attn]", input);
        // The attention's internals (qkv, scores, softmax, dropout mask, weighted values, projection input) are
        // freed; its input and output stay.
        Assert.True(sub < kept * 3 / 4, $"retained {sub} B with attention recomputed against {kept} B kept");
    }

    [Theory]
    [InlineData("k0[ffn] k1", "has no module of that name")]
    public void Given_a_plan_naming_a_bad_sub_module_When_applied_Then_ACKPT054_names_the_candidates(string plan, string message)
    {
        var model = new SubModuleGpt(blockCount: 2);
        var e = Assert.Throws<AckptException>(() => Checkpointing.Apply(model, Plans.For(model, plan)));
        Assert.Equal(ErrorCodes.SubModuleNotFound, e.Code);
        Assert.Contains(message, e.Message);
        Assert.Contains("attn, attn.core, mlp", e.Message);
        Assert.False(Checkpointing.Remove(model)); // nothing half-applied
    }

    private static long RetainedAfterForward(SubModuleGpt model, string plan, Tensor input)
    {
        Checkpointing.Apply(model, Plans.For(model, plan));
        model.train();
        Memory.MemoryCollection.Settle();
        var probe = new AutoCkpt.Memory.CpuMemoryProbe();
        using var scope = NewDisposeScope();
        long before = probe.LiveBytes();
        var output = model.call(input);
        return probe.LiveBytes() - before;
    }
}
