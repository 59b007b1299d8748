using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.Profiling;

/// <summary>How a <see cref="StagedModel"/>'s forward or stage list departs from "the forward runs the stages".</summary>
public enum Flaw
{
    /// <summary>None: the forward runs a, b, c one after another.</summary>
    None,
    /// <summary>The forward halves a's output before b.</summary>
    ScaleBetween,
    /// <summary>The forward adds a's output to b's (a skip around b) before c.</summary>
    SkipBetween,
    /// <summary>The forward doubles c's output.</summary>
    ScaleAfterLast,
    /// <summary>The stages list b twice.</summary>
    ListedTwice,
    /// <summary>The stages leave b out.</summary>
    LeftOut,
    /// <summary>The stages list c before b.</summary>
    OutOfOrder,
    /// <summary>The forward draws a random number between a and b, so b's dropout mask differs from the chain's.</summary>
    DrawBetween,
    /// <summary>The stages list a module the forward never calls.</summary>
    NeverCalled,
}

/// <summary>
/// Three blocks a, b, c (Linear, BatchNorm1d, GELU, Dropout) of the same width, exposed as stages, with one
/// <see cref="Flaw"/>. Batch norm and dropout make the random state and the buffers matter.
/// </summary>
internal sealed class StagedModel : nn.Module<Tensor, Tensor>, IStagedModel
{
    public const long Width = 16;
    private readonly Sequential a;
    private readonly Sequential b;
    private readonly Sequential c;
    private readonly Sequential unused;
    private readonly Flaw flaw;

    public StagedModel(Flaw flaw, long seed = 3) : base(nameof(StagedModel))
    {
        torch.manual_seed(seed);
        this.flaw = flaw;
        a = Block();
        b = Block();
        c = Block();
        unused = Block();
        RegisterComponents();
        Stages = flaw switch
        {
            Flaw.ListedTwice => [new("a", a), new("b", b), new("b", b), new("c", c)],
            Flaw.LeftOut => [new("a", a), new("c", c)],
            Flaw.OutOfOrder => [new("a", a), new("c", c), new("b", b)],
            Flaw.NeverCalled => [new("a", a), new("b", b), new("unused", unused), new("c", c)],
            _ => [new("a", a), new("b", b), new("c", c)],
        };
    }

    public IReadOnlyList<Stage> Stages { get; }

    public override Tensor forward(Tensor x)
    {
        var h = a.call(x);
        if (flaw == Flaw.ScaleBetween) h = h * 0.5;
        if (flaw == Flaw.DrawBetween) torch.rand(1);
        var g = b.call(h);
        if (flaw == Flaw.SkipBetween) g = g + h;
        var y = c.call(g);
        return flaw == Flaw.ScaleAfterLast ? y * 2 : y;
    }

    public static Tensor Batch(long seed = 5)
    {
        torch.manual_seed(seed);
        return torch.randn(8, Width);
    }

    private static Sequential Block() => nn.Sequential(nn.Linear(Width, Width), nn.BatchNorm1d(Width), nn.GELU(), nn.Dropout(0.2));
}

/// <summary>
/// A MinGPT-shaped model: token embedding plus a positional embedding that is a bare Parameter on the root module,
/// then a block and a head. Its adapter's first stage reads the root's positional embedding through a delegate, so
/// the chain of stages computes the forward, but no stage owns <c>pos_emb</c>.
/// </summary>
internal sealed class BarePositionModel : nn.Module<Tensor, Tensor>, IStagedModel
{
    public const long Vocab = 11;
    public const long Tokens = 6;
    private readonly Parameter pos_emb;
    private readonly TokenAndPosition embed;
    private readonly Sequential block;
    private readonly Linear head;

    public BarePositionModel() : base(nameof(BarePositionModel))
    {
        torch.manual_seed(7);
        pos_emb = new Parameter(torch.randn(1, Tokens, StagedModel.Width) * 0.1);
        embed = new TokenAndPosition(() => pos_emb);
        block = nn.Sequential(nn.LayerNorm(StagedModel.Width), nn.Linear(StagedModel.Width, StagedModel.Width), nn.GELU(), nn.Dropout(0.1));
        head = nn.Linear(StagedModel.Width, Vocab);
        RegisterComponents();
        Stages = [new("embed", embed), new("block", block), new("head", head)];
    }

    public IReadOnlyList<Stage> Stages { get; }

    public override Tensor forward(Tensor tokens) => head.call(block.call(embed.call(tokens)));

    public static Tensor Batch()
    {
        torch.manual_seed(9);
        return torch.randint(Vocab, [4, Tokens], dtype: int64);
    }

    private sealed class TokenAndPosition : nn.Module<Tensor, Tensor>
    {
        private readonly Embedding tokens;
        private readonly Func<Tensor> position;

        public TokenAndPosition(Func<Tensor> position) : base(nameof(TokenAndPosition))
        {
            tokens = nn.Embedding(Vocab, StagedModel.Width);
            this.position = position;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => tokens.call(x) + position();
    }
}

/// <summary>
/// A tied head: the embedding stage owns the weight [vocab, width], the head stage reads it through a delegate.
/// The stages compute the forward and every parameter has an owner: the check passes.
/// </summary>
internal sealed class TiedHeadModel : nn.Module<Tensor, Tensor>, IStagedModel
{
    private readonly Embedding embed;
    private readonly Sequential block;
    private readonly Head head;

    public TiedHeadModel() : base(nameof(TiedHeadModel))
    {
        torch.manual_seed(8);
        embed = nn.Embedding(BarePositionModel.Vocab, StagedModel.Width);
        block = nn.Sequential(nn.Linear(StagedModel.Width, StagedModel.Width), nn.GELU(), nn.Dropout(0.1));
        head = new Head(() => embed.weight!);
        RegisterComponents();
        Stages = [new("embed", embed), new("block", block), new("head", head)];
    }

    public IReadOnlyList<Stage> Stages { get; }

    public override Tensor forward(Tensor tokens) => head.call(block.call(embed.call(tokens)));

    private sealed class Head(Func<Tensor> weight) : nn.Module<Tensor, Tensor>(nameof(Head))
    {
        public override Tensor forward(Tensor x) => x.matmul(weight().t());
    }
}
