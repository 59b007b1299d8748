using AutoCkpt.Examples.Gpt2;
using AutoCkpt.Examples.Gpt2.Model;
using TorchSharp;
using Xunit;

namespace AutoCkpt.Examples.Tests;

public sealed class Gpt2Tests
{
    [Fact]
    public void Given_the_tiny_gpt2_When_it_trains_ten_steps_Then_its_loss_falls_by_a_third()
    {
        var target = new Gpt2Tiny();
        using var model = target.CreateModel(torch.CPU);
        var losses = Training.Run(target, model, 10);
        Assert.True(losses[^2..].Average() < 0.67 * losses[0], $"losses: {string.Join(", ", losses.Select(l => l.ToString("0.000")))}");
    }

    [Fact]
    public void Given_the_gpt2_model_When_its_stages_run_in_order_Then_they_give_its_forward()
    {
        var target = new Gpt2Tiny();
        using var model = target.CreateModel(torch.CPU);
        model.eval();
        using var scope = torch.NewDisposeScope();
        var (x, _) = target.CreateBatch(torch.CPU, 2);
        var expected = model.call(x);
        var y = x;
        foreach (var stage in ModelStages.Of(model))
            y = stage.Module.call(y);
        Assert.True(expected.equal(y).all().item<bool>());
    }

    [Fact]
    public void Given_the_gpt2_model_When_its_stages_are_listed_Then_they_are_embeddings_each_block_and_head_and_hold_every_parameter()
    {
        using var model = new Gpt2Model(Gpt2Config.Tiny);
        var stages = ModelStages.Of(model);
        Assert.Equal(["embeddings", .. Enumerable.Range(0, 6).Select(i => $"blocks.{i}"), "head"], stages.Select(s => s.Name));
        long inStages = stages.Sum(s => s.Module.parameters().Sum(p => p.numel()));
        Assert.Equal(model.parameters().Sum(p => p.numel()), inStages);
    }

    [Fact]
    public void Given_the_presets_When_small_and_medium_are_read_Then_they_have_gpt2_shapes()
    {
        Assert.Equal((12, 12, 768, 1024, 50257), (Gpt2Config.Small.Layers, Gpt2Config.Small.Heads, Gpt2Config.Small.Width, Gpt2Config.Small.ContextLength, Gpt2Config.Small.VocabSize));
        Assert.Equal((24, 16, 1024), (Gpt2Config.Medium.Layers, Gpt2Config.Medium.Heads, Gpt2Config.Medium.Width));
    }
}
