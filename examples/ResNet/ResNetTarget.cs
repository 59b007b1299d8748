using AutoCkpt.Examples.ResNet.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.ResNet;

/// <summary>
/// A residual network on generated images, for AutoCkpt's profiler and bench: its stages differ widely in
/// activation bytes (the first level keeps 8x what the last does), where uniform checkpointing is worst.
/// </summary>
public abstract class ResNetTarget(string name, ResNetConfig config, int defaultBatchSize)
    : ExampleTarget<ResNetConfig>(name, config, defaultBatchSize, seed: 4321)
{
    private SyntheticImages? data;

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> CreateModel(Device device)
    {
        torch.manual_seed(Seed);
        return ResNetModel.Create(Config).to(device);
    }

    /// <inheritdoc />
    public override (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize)
    {
        data ??= new SyntheticImages(Config.Classes, Config.ImageSize, Seed);
        return data.Batch(batchSize, device);
    }

    /// <inheritdoc />
    public override Tensor Loss(Tensor output, Tensor target) => nn.functional.cross_entropy(output, target);

    /// <inheritdoc />
    public override optim.Optimizer? CreateOptimizer(nn.Module model) => optim.SGD(model.parameters(), 0.05, momentum: 0.9);
}

/// <summary>The CPU size: 32x32 images, widths 16..128, batch 32.</summary>
public sealed class ResNetSmall() : ResNetTarget("resnet", ResNetConfig.Small, 32);

/// <summary>The GPU size: 128x128 images, widths 64..512, batch 64.</summary>
public sealed class ResNetLarge() : ResNetTarget("resnet-large", ResNetConfig.Large, 64);
