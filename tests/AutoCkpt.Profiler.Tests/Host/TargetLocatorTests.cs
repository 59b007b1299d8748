using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Profiler.Host;
using AutoCkpt.Profiler.Tests.Profiling;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.Host;

public abstract class AbstractTarget : ICheckpointTarget
{
    public string Name => "abstract";
    public nn.Module<Tensor, Tensor> CreateModel(Device device) => throw new NotSupportedException();
    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) => throw new NotSupportedException();
    public Tensor Loss(Tensor output, Tensor target) => throw new NotSupportedException();
}

public sealed class NeedsArgumentTarget(int width) : AbstractTarget
{
    public int Width => width;
}

public sealed class TargetLocatorTests
{
    private static readonly System.Reflection.Assembly Tests = typeof(TargetLocatorTests).Assembly;

    [Fact]
    public void Given_an_assembly_When_searched_Then_only_public_concrete_classes_with_parameterless_constructors_are_targets() =>
        Assert.Equal([typeof(LinearGeluTarget)], TargetLocator.FindTypes(Tests));

    [Fact]
    public void Given_a_class_name_When_selected_Then_that_target_is_created() =>
        Assert.IsType<LinearGeluTarget>(TargetLocator.Select(Tests, nameof(LinearGeluTarget)));

    [Fact]
    public void Given_an_assembly_without_targets_When_selected_Then_ACKPT024_says_what_was_searched()
    {
        var e = Assert.Throws<AckptException>(() => TargetLocator.Select(typeof(Profile).Assembly, null));

        Assert.Equal(ErrorCodes.NoTarget, e.Code);
        Assert.Contains("AutoCkpt.Formats.dll", e.Message);
        Assert.Contains("parameterless constructor", e.Message);
    }
}
