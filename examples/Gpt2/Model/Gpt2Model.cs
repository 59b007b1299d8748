using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.Gpt2.Model;

/// <summary>
/// A GPT-2-style decoder. Not a <c>Sequential</c>: its forward iterates a list of blocks, so it exposes its stages
/// (embeddings, each block, head) through <see cref="IStagedModel"/> for AutoCkpt to plan.
/// </summary>
public sealed class Gpt2Model : nn.Module<Tensor, Tensor>, IStagedModel
{
    private readonly Embeddings embeddings;
    private readonly ModuleList<Block> blocks;
    private readonly Head head;

    /// <summary>Creates a randomly initialised model of shape <paramref name="config"/>.</summary>
    public Gpt2Model(Gpt2Config config) : base(nameof(Gpt2Model))
    {
        Config = config;
        embeddings = new Embeddings(config);
        blocks = new ModuleList<Block>();
        for (int i = 0; i < config.Layers; i++)
            blocks.Add(new Block(config));
        head = new Head(config, () => embeddings.TokenWeight);
        RegisterComponents();
        var stages = new List<Stage> { new("embeddings", embeddings) };
        for (int i = 0; i < blocks.Count; i++)
            stages.Add(new Stage($"blocks.{i}", blocks[i]));
        stages.Add(new Stage("head", head));
        Stages = stages;
    }

    /// <summary>The model's shape.</summary>
    public Gpt2Config Config { get; }

    /// <inheritdoc />
    public IReadOnlyList<Stage> Stages { get; }

    /// <summary>Maps token ids (batch, tokens) to next-token logits (batch, tokens, vocabulary).</summary>
    public override Tensor forward(Tensor ids)
    {
        var x = embeddings.call(ids);
        foreach (var block in blocks)
            x = block.call(x);
        return head.call(x);
    }
}
