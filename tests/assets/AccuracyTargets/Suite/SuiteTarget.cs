using AutoCkpt;
using TorchSharp;
using static TorchSharp.torch;

namespace AccuracyTargets.Suite;

/// <summary>
/// A model of the accuracy suite (issue 15, docs/benchmarks.md "Accuracy suite"): a Sequential whose stages differ in
/// what they do to memory. The suite profiles, plans and benches each at its <see cref="DefaultBatchSize"/>; the test
/// suite's fast subset passes a smaller batch with <c>--batch-size</c>.
/// </summary>
public abstract class SuiteTarget : ICheckpointTarget
{
    public abstract string Name { get; }
    public virtual int DefaultBatchSize => 16;
    public long Seed => 15;

    /// <summary>Module path patterns naming the units; empty: found from the model's structure.</summary>
    public virtual IReadOnlyList<string> Units => [];

    public abstract nn.Module<Tensor, Tensor> CreateModel(Device device);
    public abstract (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize);

    public virtual Tensor Loss(Tensor output, Tensor target) => nn.functional.cross_entropy(output, target);

    public virtual optim.Optimizer? CreateOptimizer(nn.Module model) => optim.AdamW(model.parameters());

    /// <summary>Named stages as a Sequential, moved to <paramref name="device"/>.</summary>
    protected static nn.Module<Tensor, Tensor> Stages(Device device, params (string, nn.Module<Tensor, Tensor>)[] stages) =>
        nn.Sequential(stages).to(device);

    /// <summary>Images and class labels.</summary>
    protected static (Tensor, Tensor) Images(Device device, int batchSize, int channels, int size, int classes) =>
        (randn(batchSize, channels, size, size, device: device), randint(0, classes, [batchSize], dtype: int64, device: device));

    /// <summary>Token ids and next-token labels.</summary>
    protected static (Tensor, Tensor) TokenBatch(Device device, int batchSize, int tokens, int vocabulary) =>
        (randint(0, vocabulary, [batchSize, tokens], dtype: int64, device: device),
         randint(0, vocabulary, [batchSize, tokens], dtype: int64, device: device));

    /// <summary>Cross-entropy over every token: logits (b, t, v), labels (b, t).</summary>
    protected static Tensor TokenLoss(Tensor logits, Tensor labels) =>
        nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), labels.reshape(-1));
}

/// <summary>A module from a function of its input, for stages that are a few tensor operations.</summary>
public sealed class Lambda : nn.Module<Tensor, Tensor>
{
    private readonly Func<Tensor, Tensor> _f;

    public Lambda(string name, Func<Tensor, Tensor> f) : base(name) => _f = f;

    public override Tensor forward(Tensor x) => _f(x);
}
