using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Examples;

/// <summary>
/// What the examples' targets share: a name, a model shape, the default batch size and the seed, chosen per preset
/// (<c>--target</c>). Each example says how to build its model and batch, its loss and its optimizer.
/// </summary>
/// <typeparam name="TConfig">The example's model shape.</typeparam>
public abstract class ExampleTarget<TConfig>(string name, TConfig config, int defaultBatchSize, long seed) : ICheckpointTarget
{
    /// <inheritdoc />
    public string Name { get; } = name;

    /// <summary>The model's shape.</summary>
    public TConfig Config { get; } = config;

    /// <inheritdoc />
    public int DefaultBatchSize { get; } = defaultBatchSize;

    /// <inheritdoc />
    public long Seed { get; } = seed;

    /// <inheritdoc />
    public abstract nn.Module<Tensor, Tensor> CreateModel(Device device);

    /// <inheritdoc />
    public abstract (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize);

    /// <inheritdoc />
    public abstract Tensor Loss(Tensor output, Tensor target);

    /// <inheritdoc />
    public abstract optim.Optimizer? CreateOptimizer(nn.Module model);
}
