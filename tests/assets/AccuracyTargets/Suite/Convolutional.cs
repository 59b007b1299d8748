using TorchSharp;
using static TorchSharp.torch;

namespace AccuracyTargets.Suite;

/// <summary>
/// Conv-BatchNorm-ReLU stages, half of them with <c>Dropout2d</c>, then a pooling head: batch-norm buffers that a
/// recompute must not update twice, dropout masks that it must draw again the same.
/// </summary>
public sealed class ConvBnDropoutTarget : SuiteTarget
{
    public override string Name => "suite-conv-bn-dropout";
    public override int DefaultBatchSize => 16;

    public override nn.Module<Tensor, Tensor> CreateModel(Device device) => Stages(device,
        ("stem", Block(3, 32, 1, false)),
        ("s1", Block(32, 32, 1, true)),
        ("s2", Block(32, 64, 2, false)),
        ("s3", Block(64, 64, 1, true)),
        ("s4", Block(64, 128, 2, false)),
        ("s5", Block(128, 128, 1, true)),
        ("head", nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10))));

    private static nn.Module<Tensor, Tensor> Block(int inputs, int outputs, int stride, bool dropout)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("conv", nn.Conv2d(inputs, outputs, 3, stride: stride, padding: 1, bias: false)),
            ("bn", nn.BatchNorm2d(outputs)),
            ("relu", nn.ReLU()),
        };
        if (dropout) layers.Add(("drop", nn.Dropout2d(0.1)));
        return nn.Sequential(layers.ToArray());
    }

    public override (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) => Images(device, batchSize, 3, 48, 10);

    public override optim.Optimizer? CreateOptimizer(nn.Module model) => optim.SGD(model.parameters(), 0.01, momentum: 0.9);
}

/// <summary>
/// A MobileNet-like chain of depthwise and grouped convolutions: many small stages, some of a single operation
/// (a depthwise conv alone, a batch norm alone, ReLU6 alone), others a whole inverted-residual block with a grouped
/// 1x1 convolution and a skip connection.
/// </summary>
public sealed class DepthwiseTarget : SuiteTarget
{
    public override string Name => "suite-depthwise";
    public override int DefaultBatchSize => 8;

    public override nn.Module<Tensor, Tensor> CreateModel(Device device)
    {
        var stages = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("stem", nn.Sequential(nn.Conv2d(3, 32, 3, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(32), nn.ReLU6())),
            ("dw1", nn.Conv2d(32, 32, 3, padding: 1, groups: 32, bias: false)),
            ("bn1", nn.BatchNorm2d(32)),
            ("act1", nn.ReLU6()),
            ("pw1", nn.Sequential(nn.Conv2d(32, 64, 1, bias: false), nn.BatchNorm2d(64), nn.ReLU6())),
            ("ir2", new InvertedResidual(64, 4, 8)),
            ("down3", nn.Sequential(nn.Conv2d(64, 64, 3, stride: 2, padding: 1, groups: 64, bias: false), nn.BatchNorm2d(64), nn.ReLU6())),
            ("pw3", nn.Sequential(nn.Conv2d(64, 128, 1, groups: 4, bias: false), nn.BatchNorm2d(128), nn.ReLU6())),
            ("ir4", new InvertedResidual(128, 4, 8)),
            ("ir5", new InvertedResidual(128, 2, 4)),
            ("head", nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10))),
        };
        return Stages(device, [.. stages]);
    }

    public override (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) => Images(device, batchSize, 3, 64, 10);

    public override optim.Optimizer? CreateOptimizer(nn.Module model) => optim.SGD(model.parameters(), 0.01, momentum: 0.9);
}

/// <summary>An inverted residual: grouped 1x1 expansion, depthwise 3x3, grouped 1x1 projection, plus the input.</summary>
public sealed class InvertedResidual : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> body;

    public InvertedResidual(int channels, int expansion, int groups) : base(nameof(InvertedResidual))
    {
        int hidden = channels * expansion;
        body = nn.Sequential(
            nn.Conv2d(channels, hidden, 1, groups: groups, bias: false), nn.BatchNorm2d(hidden), nn.ReLU6(),
            nn.Conv2d(hidden, hidden, 3, padding: 1, groups: hidden, bias: false), nn.BatchNorm2d(hidden), nn.ReLU6(),
            nn.Conv2d(hidden, channels, 1, groups: groups, bias: false), nn.BatchNorm2d(channels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x + body.call(x);
}
