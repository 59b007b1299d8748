using AutoCkpt.Formats;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Memory;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.InPlace;

/// <summary>As TorchSharpExamples' ResNet: the model's only child is a Sequential, and a ReLU(inplace: true) is one of its children.</summary>
internal sealed class OnlySequentialChild : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public OnlySequentialChild() : base(nameof(OnlySequentialChild))
    {
        layers = nn.Sequential(("fc1", nn.Linear(64, 128)), ("relu", nn.ReLU(inplace: true)), ("fc2", nn.Linear(128, 64)), ("relu2", nn.ReLU(inplace: true)), ("fc3", nn.Linear(64, 8)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => layers.call(x);
}

internal sealed class InPlaceReluTarget(bool sequential) : ICheckpointTarget
{
    public string Name => sequential ? "inplace-relu-sequential" : "inplace-relu-only-child";

    public nn.Module<Tensor, Tensor> CreateModel(Device device) => sequential
        ? nn.Sequential(("fc1", nn.Linear(64, 128)), ("relu", nn.ReLU(inplace: true)), ("fc2", nn.Linear(128, 8)))
        : new OnlySequentialChild();

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) => (randn(batchSize, 64), randint(8, [batchSize]));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.cross_entropy(output, target);
}

public sealed class InPlaceReluTests
{
    private static Profile Profile(ICheckpointTarget target) =>
        new ModelProfiler(new Meter(new CpuMemoryProbe(), TimeProvider.System))
            .Run(target, CPU, new DeviceInfo("cpu", "test"), new ProfileOptions(32, Repeats: 2));

    [Fact]
    public void Given_a_Sequential_with_an_in_place_ReLU_stage_When_profiled_Then_it_profiles_with_recompute_figures()
    {
        var p = Profile(new InPlaceReluTarget(sequential: true));
        Assert.Equal(["fc1", "relu", "fc2"], p.Stages.Select(s => s.Name));
        Assert.NotNull(p.Stages[1].Recompute);
    }

    [Fact]
    public void Given_a_model_whose_only_child_is_a_Sequential_with_in_place_ReLUs_When_profiled_Then_its_units_are_that_Sequentials_children()
    {
        var p = Profile(new InPlaceReluTarget(sequential: false));
        Assert.Equal(["(before layers.fc1)", "layers.fc1", "layers.relu", "layers.fc2", "layers.relu2", "layers.fc3", "(after layers.fc3)"], p.Stages.Select(s => s.Name));
        Assert.All(p.Stages.Where(s => s.RecomputeAllowed), s => Assert.NotNull(s.Recompute));
    }
}
