using AutoCkpt.Examples.Gpt2;
using AutoCkpt.Examples.ResNet;
using AutoCkpt.Profiler.Profiling;
using TorchSharp;
using Xunit;

namespace AutoCkpt.Examples.Tests;

/// <summary>
/// Both examples pass the profiler's forward check in training mode (dropout, batch norm): GPT-2's IStagedModel
/// stages and ResNet's Sequential children compute their forward, and every parameter belongs to a stage.
/// </summary>
public sealed class ForwardCheckTests
{
    [Fact]
    public void Given_the_gpt2_IStagedModel_When_checked_Then_its_stages_are_its_forward() => Check(new Gpt2Tiny());

    [Fact]
    public void Given_the_resnet_Sequential_When_checked_Then_its_children_are_its_forward() => Check(new ResNetSmall());

    private static void Check(ICheckpointTarget target)
    {
        torch.manual_seed(target.Seed);
        using var scope = torch.NewDisposeScope();
        using var model = target.CreateModel(torch.CPU);
        model.train();
        var (input, _) = target.CreateBatch(torch.CPU, 4);
        ForwardCheck.Run(model, ModelStages.Of(model), input);
    }
}
