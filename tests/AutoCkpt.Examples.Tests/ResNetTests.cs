using AutoCkpt.Examples.ResNet;
using TorchSharp;
using Xunit;

namespace AutoCkpt.Examples.Tests;

public sealed class ResNetTests
{
    [Fact]
    public void Given_the_resnet_When_it_trains_thirty_steps_Then_its_loss_falls_by_half()
    {
        var target = new ResNetSmall();
        using var model = target.CreateModel(torch.CPU);
        var losses = Training.Run(target, model, 30);
        Assert.True(losses[^5..].Average() < 0.5 * losses[..5].Average(), $"losses: {string.Join(", ", losses.Select(l => l.ToString("0.000")))}");
    }

    [Fact]
    public void Given_the_resnet_When_its_stage_outputs_are_measured_Then_the_first_block_outputs_8x_the_last()
    {
        var target = new ResNetSmall();
        using var model = target.CreateModel(torch.CPU);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (x, _) = target.CreateBatch(torch.CPU, 2);
        var sizes = new List<long>();
        foreach (var stage in ModelStages.Of(model))
        {
            x = stage.Module.call(x);
            sizes.Add(x.numel());
        }
        Assert.Equal(10, sizes.Count);
        Assert.Equal(8 * sizes[8], sizes[1]);
    }
}
