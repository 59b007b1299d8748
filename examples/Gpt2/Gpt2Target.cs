using AutoCkpt.Examples.Gpt2.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.Gpt2;

/// <summary>
/// A GPT-2-style decoder trained on the shipped text, for AutoCkpt's profiler and bench. One subclass per preset,
/// chosen with <c>--target</c>: gpt2-tiny (CPU), gpt2-small, gpt2-medium (GPU shapes).
/// </summary>
public abstract class Gpt2Target(string name, Gpt2Config config, int defaultBatchSize)
    : ExampleTarget<Gpt2Config>(name, config, defaultBatchSize, seed: 1234)
{
    private ByteCorpus? corpus;

    /// <summary>Learning rate for AdamW.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> CreateModel(Device device)
    {
        torch.manual_seed(Seed);
        return new Gpt2Model(Config).to(device);
    }

    /// <inheritdoc />
    public override (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize)
    {
        corpus ??= new ByteCorpus(ByteCorpus.EmbeddedText(), Seed);
        return corpus.Batch(batchSize, Config.ContextLength, device);
    }

    /// <inheritdoc />
    public override Tensor Loss(Tensor output, Tensor target) =>
        nn.functional.cross_entropy(output.view(-1, output.shape[^1]), target.view(-1));

    /// <inheritdoc />
    public override optim.Optimizer? CreateOptimizer(nn.Module model) => optim.AdamW(model.parameters(), lr: LearningRate);
}

/// <summary>The tiny preset: 6 blocks, width 128, batch 8 x 128 bytes. Trains on 2 CPU cores.</summary>
public sealed class Gpt2Tiny() : Gpt2Target("gpt2-tiny", Gpt2Config.Tiny, 8);

/// <summary>Tiny's blocks, 16 deep, batch 16: the multi-level recompute demonstration (trains on 2 CPU cores, slowly).</summary>
public sealed class Gpt2Deep() : Gpt2Target("gpt2-deep", Gpt2Config.Deep, 16);

/// <summary>GPT-2 small's shape (12 blocks, width 768, 1024 tokens), batch 4. For a GPU.</summary>
public sealed class Gpt2Small() : Gpt2Target("gpt2-small", Gpt2Config.Small, 4);

/// <summary>GPT-2 medium's shape (24 blocks, width 1024, 1024 tokens), batch 4. For a GPU.</summary>
public sealed class Gpt2Medium() : Gpt2Target("gpt2-medium", Gpt2Config.Medium, 4);
