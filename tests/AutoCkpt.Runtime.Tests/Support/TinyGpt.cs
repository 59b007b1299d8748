using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Support;

/// <summary>
/// A GPT-shaped model that is not a Sequential: token embedding, a list of pre-norm MLP blocks iterated in
/// forward, and a head. It exposes its stages through <see cref="IStagedModel"/>.
/// </summary>
internal sealed class TinyGpt : nn.Module<Tensor, Tensor>, IStagedModel
{
    public const long Vocab = 32;
    private readonly Embedding embed;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> blocks;
    private readonly Sequential head;

    public TinyGpt(int blockCount = 3, long width = 16, long seed = 1) : base(nameof(TinyGpt))
    {
        torch.manual_seed(seed);
        embed = nn.Embedding(Vocab, width);
        blocks = new ModuleList<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < blockCount; i++)
            blocks.Add(new Block(width));
        head = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, Vocab));
        RegisterComponents();
        var stages = new List<Stage> { new("embed", embed) };
        stages.AddRange(blocks.Select((b, i) => new Stage($"blocks.{i}", b)));
        stages.Add(new Stage("head", head));
        Stages = stages;
    }

    public IReadOnlyList<Stage> Stages { get; }

    public override Tensor forward(Tensor tokens)
    {
        var x = embed.call(tokens);
        foreach (var block in blocks)
            x = block.call(x);
        return head.call(x);
    }

    /// <summary>Token batches and next-token targets, made from a fixed seed.</summary>
    public static IReadOnlyList<(Tensor Input, Tensor Target)> Batches(int count, long batch = 4, long tokens = 8, long seed = 100)
    {
        torch.manual_seed(seed);
        return Enumerable.Range(0, count)
            .Select(_ => (torch.randint(Vocab, [batch, tokens], dtype: int64).DetachFromDisposeScope(),
                          torch.randint(Vocab, [batch, tokens], dtype: int64).DetachFromDisposeScope()))
            .ToList();
    }

    public static Tensor Loss(Tensor logits, Tensor target) =>
        nn.functional.cross_entropy(logits.reshape(-1, Vocab), target.reshape(-1));

    private sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly LayerNorm norm;
        private readonly Linear up;
        private readonly Linear down;
        private readonly Dropout dropout;

        public Block(long width) : base(nameof(Block))
        {
            norm = nn.LayerNorm(width);
            up = nn.Linear(width, 4 * width);
            down = nn.Linear(4 * width, width);
            dropout = nn.Dropout(0.1);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) =>
            x + dropout.call(down.call(nn.functional.gelu(up.call(norm.call(x)))));
    }
}
