using AutoCkpt.Runtime.Tests.Support;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Strategies.SaveMatmuls;

/// <summary>
/// Save-matmuls units (docs/selective.md): the forward keeps the unit's Linear outputs, the recompute skips those
/// matmuls and hands the kept outputs back with the layers' gradients. Training is bit-identical to the plain model
/// on the CPU (losses, every gradient, parameters, dropout's random stream).
/// </summary>
public sealed class SaveMatmulsTests
{
    private const int Steps = 3;

    [Theory]
    [InlineData("t0 s1 s2 s3 t4")]
    [InlineData("k0 s1 r2 s3 s4")]   // the head's unit ends in a Linear: its kept output is the unit's output
    public void Given_a_gpt_with_dropout_When_trained_with_save_matmuls_units_Then_training_is_bit_identical(string plan)
    {
        var batches = TinyGpt.Batches(Steps);
        using var expected = Trainer.Run(new TinyGpt(), batches, TinyGpt.Loss);
        using var actual = Trainer.Run(Checkpointing.Apply(new TinyGpt(), Plans.For(new TinyGpt(), plan)), batches, TinyGpt.Loss);
        Same.Training(expected, actual);
    }

    [Theory]
    [InlineData(false, "s0 s1 r2-3")]
    [InlineData(true, "s0 s1 s2 s3")]  // LoRA: a frozen base Linear (no weight gradient) beside trained adapters
    public void Given_a_llama_style_decoder_When_trained_with_save_matmuls_units_Then_training_is_bit_identical(bool lora, string plan)
    {
        var batches = Enumerable.Range(0, Steps).Select(i => LlamaLike.Batch(100 + i)).ToList();
        using var expected = Trainer.Run(new LlamaLike(BlockInputs.Rotary, blocks: 4, lora: lora), batches, LlamaLike.Loss);
        var model = new LlamaLike(BlockInputs.Rotary, blocks: 4, lora: lora);
        using var actual = Trainer.Run(Checkpointing.Apply(model, Plans.For(model, plan)), batches, LlamaLike.Loss);
        Same.Training(expected, actual);
    }

    [Fact]
    public void Given_a_save_matmuls_unit_When_the_backward_recomputes_it_Then_its_linear_layers_get_empty_batches()
    {
        var model = new TinyGpt();
        var rows = new List<long>();
        var layers = model.Stages[1].Module.modules().OfType<Linear>().ToList();
        Assert.Equal(2, layers.Count);
        // Registered before the plan's hooks, so it sees the input the forward (or the recompute) would hand the layer.
        foreach (var layer in layers)
            layer.register_forward_hook((m, x, y) => { rows.Add(y.shape[0]); return y; });
        Checkpointing.Apply(model, Plans.For(model, "k0 s1 k2-4"));
        var (input, target) = TinyGpt.Batches(1)[0];
        using (torch.NewDisposeScope())
        {
            var loss = TinyGpt.Loss(model.call(input), target);
            Assert.Equal([input.shape[0], input.shape[0]], rows);
            rows.Clear();
            loss.backward();
        }
        Assert.Equal([0L, 0L], rows);
    }

    [Fact]
    public void Given_a_plan_removed_and_applied_again_When_each_application_trains_Then_every_recompute_skips_the_matmuls()
    {
        // Removing and adding hooks reorders them (TorchSharp keeps them in a dictionary that reuses freed slots): the
        // kept outputs were handed over only when the unit's own post-hook ran before save-matmuls' one, so every other
        // application (each bench step applies its plan) recomputed the layers and kept nothing.
        var model = new TinyGpt();
        var rows = new List<long>();
        foreach (var layer in model.Stages[1].Module.modules().OfType<Linear>())
            layer.register_forward_hook((m, x, y) => { rows.Add(y.shape[0]); return y; });
        var (input, target) = TinyGpt.Batches(1)[0];
        for (int round = 0; round < 4; round++)
        {
            Checkpointing.Remove(model);
            Checkpointing.Apply(model, Plans.For(model, "k0 s1 k2-4"));
            using (torch.NewDisposeScope())
            {
                var loss = TinyGpt.Loss(model.call(input), target);
                rows.Clear();
                loss.backward();
            }
            Assert.True(rows.SequenceEqual([0L, 0L]), $"application {round + 1}: the recompute's Linear layers got {string.Join(", ", rows)} rows");
        }
    }

    [Fact]
    public void Given_two_forwards_before_one_backward_When_save_matmuls_units_recompute_Then_each_gets_its_own_outputs()
    {
        var batches = TinyGpt.Batches(2);
        var expected = TwoForwardGradients(new TinyGpt(), batches);
        var model = new TinyGpt();
        var actual = TwoForwardGradients(Checkpointing.Apply(model, Plans.For(model, "k0 s1 s2 s3 k4")), batches);
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Same.Bits(expected[i], actual[i], $"gradient of parameter {i}");
    }

    private static List<Tensor?> TwoForwardGradients(nn.Module<Tensor, Tensor> model, IReadOnlyList<(Tensor Input, Tensor Target)> batches)
    {
        model.train();
        torch.manual_seed(Trainer.DropoutSeed);
        using var scope = torch.NewDisposeScope();
        var loss = TinyGpt.Loss(model.call(batches[0].Input), batches[0].Target) + TinyGpt.Loss(model.call(batches[1].Input), batches[1].Target);
        loss.backward();
        return [.. model.parameters().Select(p => p.grad is { } g ? g.clone().DetachFromDisposeScope() : null)];
    }
}
