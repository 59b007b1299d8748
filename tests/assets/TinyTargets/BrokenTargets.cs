using AutoCkpt;
using TorchSharp;
using static TorchSharp.torch;

namespace TinyTargets;

/// <summary>An IStagedModel whose forward halves the first stage's output before the second: the forward check refuses it (ACKPT035).</summary>
public sealed class TinyScaled : ICheckpointTarget
{
    public string Name => "tiny-scaled";

    public nn.Module<Tensor, Tensor> CreateModel(Device device) => new ScaledNet().to(device);

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randn(batchSize, 16, device: device), randn(batchSize, 16, device: device));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target);
}

/// <summary>Two Linear stages with a scale between them that no stage applies.</summary>
public sealed class ScaledNet : nn.Module<Tensor, Tensor>, IStagedModel
{
    private readonly nn.Module<Tensor, Tensor> _first = nn.Linear(16, 16);
    private readonly nn.Module<Tensor, Tensor> _second = nn.Linear(16, 16);

    public ScaledNet() : base(nameof(ScaledNet))
    {
        RegisterComponents();
        Stages = [new Stage("first", _first), new Stage("second", _second)];
    }

    public IReadOnlyList<Stage> Stages { get; }

    public override Tensor forward(Tensor x) => _second.call(_first.call(x) * 0.5);
}
