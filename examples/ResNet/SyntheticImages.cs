using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.ResNet;

/// <summary>
/// Generated labelled images: each class has a fixed smooth colour pattern (random 4x4 noise, upsampled); a sample is
/// its class's pattern plus Gaussian noise 4x its scale, so a classifier must average over space to learn.
/// </summary>
public sealed class SyntheticImages : IDisposable
{
    private const double NoiseScale = 4.0;
    private readonly Tensor prototypes;
    private readonly Generator generator;

    /// <summary>Makes <paramref name="classes"/> patterns of <paramref name="imageSize"/>^2 pixels from <paramref name="seed"/>.</summary>
    public SyntheticImages(int classes, int imageSize, long seed)
    {
        generator = new Generator((ulong)seed);
        using var coarse = randn([classes, 3, 4, 4], generator: generator);
        prototypes = nn.functional.interpolate(coarse, [imageSize, imageSize], mode: InterpolationMode.Bilinear, align_corners: false)
            .DetachFromDisposeScope(); // lives as long as this object, not the caller's step scope
    }

    /// <summary>Images (batch, 3, size, size) float32 and labels (batch) int64, on <paramref name="device"/>.</summary>
    public (Tensor Input, Tensor Target) Batch(int batchSize, Device device)
    {
        using var scope = NewDisposeScope();
        var labels = randint(prototypes.shape[0], [batchSize], generator: generator);
        var images = prototypes.index_select(0, labels) + NoiseScale * randn([batchSize, .. prototypes.shape[1..]], generator: generator);
        return scope.MoveToOuter(images.to(device), labels.to(device));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        prototypes.Dispose();
        generator.Dispose();
    }
}
