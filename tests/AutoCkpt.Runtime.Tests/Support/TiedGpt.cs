using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Support;

/// <summary>Which stage owns the weight that the token embedding and the output head share.</summary>
public enum TieOwner
{
    /// <summary>The embedding stage owns it; the head reads it through a delegate (as GPT-2's tied head does).</summary>
    Embedding,

    /// <summary>The head stage owns it; the embedding reads it through a delegate.</summary>
    Head,

    /// <summary>
    /// No stage owns it: it is a bare Parameter on the root module (as MinGPT's positional embedding is), and both
    /// stages read it through delegates.
    /// </summary>
    Root,
}

/// <summary>
/// A GPT-shaped <see cref="IStagedModel"/> whose embedding and head share one weight [vocab, width], which at most one
/// of the two stages registers (<see cref="TieOwner"/>): a stage that does not own it reads it through a delegate, so
/// it is not among that stage's <c>parameters()</c>. Blocks have dropout, so the recompute must replay the random stream.
/// </summary>
internal sealed class TiedGpt : nn.Module<Tensor, Tensor>, IStagedModel
{
    private readonly TokenEmbedding embed;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> blocks;
    private readonly TiedHead head;
    private readonly Parameter? tied;

    public TiedGpt(TieOwner owner, int blockCount = 2, long width = 16, long seed = 1) : base(nameof(TiedGpt))
    {
        torch.manual_seed(seed);
        if (owner == TieOwner.Embedding)
        {
            embed = new TokenEmbedding(new Parameter(torch.randn(TinyGpt.Vocab, width) * 0.1));
            head = new TiedHead(width, () => embed.Weight!);
        }
        else if (owner == TieOwner.Head)
        {
            head = new TiedHead(width, new Parameter(torch.randn(TinyGpt.Vocab, width) * 0.1));
            embed = new TokenEmbedding(() => head.Weight!);
        }
        else
        {
            tied = new Parameter(torch.randn(TinyGpt.Vocab, width) * 0.1);
            embed = new TokenEmbedding(() => tied!);
            head = new TiedHead(width, () => tied!);
        }
        blocks = new ModuleList<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < blockCount; i++)
            blocks.Add(nn.Sequential(nn.LayerNorm(width), nn.Linear(width, 2 * width), nn.GELU(), nn.Linear(2 * width, width), nn.Dropout(0.2)));
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

    /// <summary>Looks tokens up in a weight it owns, or in one it reads through <c>shared</c>.</summary>
    private sealed class TokenEmbedding : nn.Module<Tensor, Tensor>
    {
        private readonly Parameter? weight;
        private readonly Func<Tensor>? shared;

        public TokenEmbedding(Parameter weight) : base(nameof(TokenEmbedding))
        {
            this.weight = weight;
            RegisterComponents();
        }

        public TokenEmbedding(Func<Tensor> shared) : base(nameof(TokenEmbedding)) => this.shared = shared;

        public Parameter? Weight => weight;

        public override Tensor forward(Tensor tokens)
        {
            var w = weight ?? shared!();
            return w.index_select(0, tokens.reshape(-1)).reshape(tokens.shape[0], tokens.shape[1], w.shape[1]);
        }
    }

    /// <summary>Layer norm, then logits against a weight it owns, or one it reads through <c>shared</c>.</summary>
    private sealed class TiedHead : nn.Module<Tensor, Tensor>
    {
        private readonly LayerNorm norm;
        private readonly Parameter? weight;
        private readonly Func<Tensor>? shared;

        public TiedHead(long width, Parameter weight) : base(nameof(TiedHead))
        {
            norm = nn.LayerNorm(width);
            this.weight = weight;
            RegisterComponents();
        }

        public TiedHead(long width, Func<Tensor> shared) : base(nameof(TiedHead))
        {
            norm = nn.LayerNorm(width);
            this.shared = shared;
            RegisterComponents();
        }

        public Parameter? Weight => weight;

        public override Tensor forward(Tensor x) => norm.call(x).matmul((weight ?? shared!()).t());
    }
}
