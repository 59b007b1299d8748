using AutoCkpt.Formats;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using AutoCkpt.Profiler.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.InPlace;

/// <summary>How <see cref="SkipChain"/>'s forward uses its blocks' outputs besides passing each to the next block.</summary>
internal enum SkipUse
{
    /// <summary><c>x = block.call(x)</c> and nothing else.</summary>
    None,
    /// <summary>Blocks 0 and 1's outputs kept in a list and added to the last block's (a skip, as a U-Net's decoder reads).</summary>
    List,
    /// <summary>A view of block 1's output taken before block 2 runs, added at the end.</summary>
    View,
    /// <summary>Block 1's output scaled in place between blocks 1 and 2 (<c>mul_</c>): the next block reads the changed tensor.</summary>
    InPlace,
    /// <summary>A WaveNet's skips: after each block, the loop adds a projection of its output (4x wider) to a running sum.</summary>
    Branch,
}

/// <summary>Four blocks (Linear, GELU) in a <c>ModuleList</c>, with a custom forward that may reuse their outputs (<see cref="SkipUse"/>).</summary>
internal sealed class SkipChain : nn.Module<Tensor, Tensor>
{
    public const int D = 128;
    private readonly ModuleList<Sequential> blocks = new();
    private readonly ModuleList<Linear> projections = new();
    private readonly SkipUse use;

    public SkipChain(SkipUse use) : base(nameof(SkipChain))
    {
        this.use = use;
        for (int i = 0; i < 4; i++) blocks.Add(nn.Sequential(nn.Linear(D, D), nn.GELU()));
        if (use == SkipUse.Branch)
            for (int i = 0; i < 4; i++) projections.Add(nn.Linear(D, 4 * D));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var kept = new List<Tensor>();
        Tensor? sum = null;
        for (int i = 0; i < blocks.Count; i++)
        {
            x = blocks[i].call(x);
            if (use == SkipUse.Branch) sum = sum is null ? projections[i].call(x) : sum + projections[i].call(x);
            if (use == SkipUse.List && i < 2) kept.Add(x);
            if (use == SkipUse.View && i == 1) kept.Add(x.view(-1, D / 2, 2));
            if (use == SkipUse.InPlace && i == 1) x.mul_(0.5);
        }
        foreach (var k in kept) x = x + k.reshape(-1, D);
        return sum is null ? x : x + sum.narrow(1, 0, D);
    }
}

/// <summary><see cref="SkipChain"/> as a target; its units are found in place by the pattern <c>blocks.*</c>.</summary>
internal sealed class SkipChainTarget(SkipUse use) : ICheckpointTarget
{
    public const int B = 64;

    public string Name => $"skip-chain-{use}";

    public IReadOnlyList<string> Units => ["blocks.*"];

    public nn.Module<Tensor, Tensor> CreateModel(Device device) => new SkipChain(use);

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) => (randn(batchSize, SkipChain.D), randn(batchSize, SkipChain.D));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target);

    public optim.Optimizer? CreateOptimizer(nn.Module model) => optim.AdamW(model.parameters());

    /// <summary>A profile of the model as <paramref name="use"/> writes its forward, in place, on the CPU.</summary>
    public static Profile Measure(SkipUse use, int repeats, int batch = B) =>
        new ModelProfiler(new Meter(ProfilingDevice.Open("cpu").Probe, TimeProvider.System))
            .Run(new SkipChainTarget(use), CPU, new DeviceInfo("cpu", "test"), new ProfileOptions(batch, Repeats: repeats));
}
