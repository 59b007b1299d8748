using AutoCkpt;
using TorchSharp;
using static TorchSharp.torch;

namespace TinyTargets;

/// <summary>Three Linear+GELU blocks in a Sequential, with Adam: every figure can be worked out by hand.</summary>
public sealed class TinyMlp : ICheckpointTarget
{
    public const int Width = 256;
    public string Name => "tiny-mlp";
    public int DefaultBatchSize => 64;

    public nn.Module<Tensor, Tensor> CreateModel(Device device) => Model(device);

    public static nn.Module<Tensor, Tensor> Model(Device device) =>
        nn.Sequential(
            ("b0", nn.Sequential(nn.Linear(Width, Width), nn.GELU())),
            ("b1", nn.Sequential(nn.Linear(Width, Width), nn.GELU())),
            ("b2", nn.Sequential(nn.Linear(Width, Width), nn.GELU()))).to(device);

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randn(batchSize, Width, device: device), randn(batchSize, Width, device: device));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target);

    public optim.Optimizer? CreateOptimizer(nn.Module model) => optim.Adam(model.parameters());
}

/// <summary>A model that is not a Sequential and exposes its stages through IStagedModel.</summary>
public sealed class TinyStaged : ICheckpointTarget
{
    public string Name => "tiny-staged";

    public nn.Module<Tensor, Tensor> CreateModel(Device device) => new StagedNet().to(device);

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randn(batchSize, 32, device: device), randn(batchSize, 8, device: device));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target);
}

/// <summary>Not a Sequential and no IStagedModel: profiling it is ACKPT008.</summary>
public sealed class TinyOpaque : ICheckpointTarget
{
    public string Name => "tiny-opaque";

    public nn.Module<Tensor, Tensor> CreateModel(Device device) => new OpaqueNet().to(device);

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randn(batchSize, 8, device: device), randn(batchSize, 8, device: device));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target);
}

public sealed class StagedNet : nn.Module<Tensor, Tensor>, IStagedModel
{
    private readonly nn.Module<Tensor, Tensor> _input = nn.Linear(32, 64);
    private readonly nn.Module<Tensor, Tensor> _hidden = nn.Sequential(nn.Linear(64, 64), nn.ReLU());
    private readonly nn.Module<Tensor, Tensor> _head = nn.Linear(64, 8);

    public StagedNet() : base(nameof(StagedNet))
    {
        RegisterComponents();
        Stages = [new Stage("input", _input), new Stage("hidden", _hidden), new Stage("head", _head)];
    }

    public IReadOnlyList<Stage> Stages { get; }

    public override Tensor forward(Tensor x) => _head.call(_hidden.call(_input.call(x)));
}

public sealed class OpaqueNet : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> _linear = nn.Linear(8, 8);

    public OpaqueNet() : base(nameof(OpaqueNet)) => RegisterComponents();

    public override Tensor forward(Tensor x) => _linear.call(x);
}

/// <summary>Twelve Linear(1024)+GELU blocks with Adam: large enough that a step is not all overhead (docs/profiler.md).</summary>
public sealed class MlpStack : ICheckpointTarget
{
    public const int Width = 1024;
    public string Name => "mlp-stack";
    public int DefaultBatchSize => 256;

    public nn.Module<Tensor, Tensor> CreateModel(Device device) =>
        nn.Sequential(Enumerable.Range(0, 12)
            .Select(i => ($"blocks.{i}", (nn.Module<Tensor, Tensor>)nn.Sequential(nn.Linear(Width, Width), nn.GELU())))
            .ToArray()).to(device);

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randn(batchSize, Width, device: device), randn(batchSize, Width, device: device));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target);

    public optim.Optimizer? CreateOptimizer(nn.Module model) => optim.Adam(model.parameters());
}
