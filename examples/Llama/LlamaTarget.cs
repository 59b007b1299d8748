using AutoCkpt.Examples.Llama.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.Llama;

/// <summary>
/// A Llama-style decoder trained on the shipped text, for AutoCkpt's profiler and bench. One subclass per preset,
/// chosen with <c>--target</c>: llama-tiny and llama-lora-tiny (CPU), llama-1b and llama-lora-1b (GPU shapes). The
/// LoRA presets freeze the base (the token embedding and tied head included) and train adapters on the attention's q
/// and v projections, so the blocks' input needs no gradient.
/// </summary>
public abstract class LlamaTarget(string name, LlamaConfig config, int defaultBatchSize)
    : ExampleTarget<LlamaConfig>(name, config, defaultBatchSize, seed: 2718)
{
    private ByteCorpus? corpus;

    /// <summary>Learning rate for AdamW.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> CreateModel(Device device)
    {
        torch.manual_seed(Seed);
        var model = new LlamaModel(Config).to(device);
        if (Config.LoraRank > 0) model.FreezeBase();
        return model;
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
    public override optim.Optimizer? CreateOptimizer(nn.Module model) =>
        optim.AdamW(model.parameters().Where(p => p.requires_grad), lr: LearningRate);
}

/// <summary>The tiny preset: 6 blocks, width 128, batch 8 x 128 bytes. Trains on 2 CPU cores.</summary>
public sealed class LlamaTiny() : LlamaTarget("llama-tiny", LlamaConfig.Tiny, 8);

/// <summary>The tiny preset as a LoRA fine-tune: the base frozen, rank-8 adapters on q and v.</summary>
public sealed class LlamaLoraTiny() : LlamaTarget("llama-lora-tiny", LlamaConfig.Tiny with { LoraRank = 8 }, 8);

/// <summary>TinyLlama-1.1B's shape, 2048 tokens, batch 4. For a GPU.</summary>
public sealed class Llama1B() : LlamaTarget("llama-1b", LlamaConfig.OneB, 4);

/// <summary>TinyLlama-1.1B's shape as a LoRA fine-tune (rank 16 on q and v), batch 4. For a GPU.</summary>
public sealed class LlamaLora1B() : LlamaTarget("llama-lora-1b", LlamaConfig.OneB with { LoraRank = 16 }, 4);
