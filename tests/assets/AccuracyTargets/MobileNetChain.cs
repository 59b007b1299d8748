using AutoCkpt;
using TorchSharp;
using static TorchSharp.torch;

namespace AccuracyTargets;

/// <summary>
/// A MobileNet-like chain flattened into single-op stages, as TorchSharpExamples' MobileNet lists its layers: a stem
/// (conv, batch norm, ReLU6), seven depthwise-separable blocks each as six stages (depthwise conv, batch norm, ReLU6,
/// pointwise conv, batch norm, ReLU6), and a pooling head: 46 stages, most of them one cheap operation. The chain on which
/// isolated stage passes overstate the step and each recompute segment's fixed cost weighs most (issue 15, "Step time";
/// docs/cost-model.md).
/// </summary>
public sealed class MobileNetChain : ICheckpointTarget
{
    public const int Classes = 10;
    public const int Size = 64;

    private static readonly (int Outputs, int Stride)[] Blocks = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1)];

    public string Name => "mobilenet-chain";
    public int DefaultBatchSize => 16;
    public long Seed => 15;

    public nn.Module<Tensor, Tensor> CreateModel(Device device)
    {
        var stages = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("stem.conv", nn.Conv2d(3, 32, 3, stride: 2, padding: 1, bias: false)),
            ("stem.bn", nn.BatchNorm2d(32)),
            ("stem.act", nn.ReLU6()),
        };
        int channels = 32;
        for (int b = 0; b < Blocks.Length; b++)
        {
            var (outputs, stride) = Blocks[b];
            stages.Add(($"b{b}.dw", nn.Conv2d(channels, channels, 3, stride: stride, padding: 1, groups: channels, bias: false)));
            stages.Add(($"b{b}.dw_bn", nn.BatchNorm2d(channels)));
            stages.Add(($"b{b}.dw_act", nn.ReLU6()));
            stages.Add(($"b{b}.pw", nn.Conv2d(channels, outputs, 1, bias: false)));
            stages.Add(($"b{b}.pw_bn", nn.BatchNorm2d(outputs)));
            stages.Add(($"b{b}.pw_act", nn.ReLU6()));
            channels = outputs;
        }
        stages.Add(("head", nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, Classes))));
        return nn.Sequential(stages.ToArray()).to(device);
    }

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randn(batchSize, 3, Size, Size, device: device), randint(0, Classes, [batchSize], dtype: int64, device: device));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.cross_entropy(output, target);

    public optim.Optimizer? CreateOptimizer(nn.Module model) => optim.SGD(model.parameters(), 0.01, momentum: 0.9);
}
