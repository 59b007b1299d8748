using AutoCkpt;
using TorchSharp;
using static TorchSharp.torch;

namespace AccuracyTargets;

/// <summary>
/// A CNN as a Sequential of Conv-BatchNorm-ReLU stages, some with Dropout2d, from 64×64 down to 8×8, then a
/// pooling head (issue 15).
/// </summary>
public sealed class ConvBnNet : ICheckpointTarget
{
    public const int Classes = 10;
    public const int Size = 64;

    public string Name => "conv-bn-net";
    public int DefaultBatchSize => 16;
    public long Seed => 15;

    public nn.Module<Tensor, Tensor> CreateModel(Device device) =>
        nn.Sequential(
            ("stem", Stage(3, 32, stride: 1, dropout: false)),
            ("s1", Stage(32, 32, stride: 1, dropout: true)),
            ("s2", Stage(32, 64, stride: 2, dropout: false)),
            ("s3", Stage(64, 64, stride: 1, dropout: true)),
            ("s4", Stage(64, 128, stride: 2, dropout: false)),
            ("s5", Stage(128, 128, stride: 1, dropout: true)),
            ("s6", Stage(128, 256, stride: 2, dropout: false)),
            ("s7", Stage(256, 256, stride: 1, dropout: true)),
            ("head", nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(256, Classes)))).to(device);

    private static nn.Module<Tensor, Tensor> Stage(int inputs, int outputs, int stride, bool dropout)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("conv", nn.Conv2d(inputs, outputs, 3, stride: stride, padding: 1, bias: false)),
            ("bn", nn.BatchNorm2d(outputs)),
            ("relu", nn.ReLU()),
        };
        if (dropout)
            layers.Add(("drop", nn.Dropout2d(0.1)));
        return nn.Sequential(layers.ToArray());
    }

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randn(batchSize, 3, Size, Size, device: device), randint(0, Classes, [batchSize], dtype: int64, device: device));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.cross_entropy(output, target);

    public optim.Optimizer? CreateOptimizer(nn.Module model) => optim.SGD(model.parameters(), 0.01, momentum: 0.9);
}
