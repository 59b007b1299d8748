using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Support;

/// <summary>
/// A GPT-2-style decoder whose blocks have sub-modules to recompute alone (docs/selective.md): <c>attn</c> (qkv,
/// explicit attention in its own module <c>attn.core</c> with attention dropout, projection, residual dropout) and
/// <c>mlp</c> (with dropout), each called by the block through <c>call</c>. The blocks sit in a <c>ModuleList</c>.
/// </summary>
internal sealed class SubModuleGpt : nn.Module<Tensor, Tensor>
{
    public const long Vocab = 32;
    public const long Width = 16;
    private readonly Embedding embed;
    private readonly ModuleList<Block> blocks;
    private readonly LayerNorm norm;
    private readonly Linear head;

    public SubModuleGpt(int blockCount = 3, long seed = 1) : base(nameof(SubModuleGpt))
    {
        torch.manual_seed(seed);
        embed = nn.Embedding(Vocab, Width);
        blocks = new ModuleList<Block>();
        for (int i = 0; i < blockCount; i++)
            blocks.Add(new Block());
        norm = nn.LayerNorm(Width);
        head = nn.Linear(Width, Vocab);
        RegisterComponents();
    }

    /// <summary>Calls of each block's modules by path relative to the block ("attn", "attn.core", "mlp"), forward and recompute alike.</summary>
    public Dictionary<string, int> Calls { get; } = [];

    public override Tensor forward(Tensor tokens)
    {
        var x = embed.call(tokens);
        foreach (var block in blocks)
            x = block.call(x);
        return head.call(norm.call(x));
    }

    /// <summary>Counts calls of every block's sub-modules into <see cref="Calls"/>.</summary>
    public SubModuleGpt Counting()
    {
        foreach (var block in blocks)
            foreach (var (name, module) in block.named_modules())
                if (module is Core core)
                    core.register_forward_pre_hook((m, q, k, v) => { Calls[name] = Calls.GetValueOrDefault(name) + 1; return (q, k, v); });
                else if (name is "attn" or "mlp")
                    ((nn.Module<Tensor, Tensor>)module).register_forward_pre_hook((m, x) => { Calls[name] = Calls.GetValueOrDefault(name) + 1; return x; });
        return this;
    }

    public static Tensor Loss(Tensor logits, Tensor target) =>
        nn.functional.cross_entropy(logits.reshape(-1, Vocab), target.reshape(-1));

    /// <summary>Token batches and targets from a fixed seed.</summary>
    public static IReadOnlyList<(Tensor Input, Tensor Target)> Batches(int count) => TinyGpt.Batches(count);

    private sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly LayerNorm ln1 = nn.LayerNorm(Width);
        private readonly Attention attn = new();
        private readonly LayerNorm ln2 = nn.LayerNorm(Width);
        private readonly Mlp mlp = new();

        public Block() : base(nameof(Block)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            x = x + attn.call(ln1.call(x));
            return x + mlp.call(ln2.call(x));
        }
    }

    private sealed class Attention : nn.Module<Tensor, Tensor>
    {
        private const long Heads = 2;
        private readonly Linear qkv = nn.Linear(Width, 3 * Width);
        private readonly Core core = new();
        private readonly Linear proj = nn.Linear(Width, Width);
        private readonly Dropout dropout = nn.Dropout(0.1);

        public Attention() : base(nameof(Attention)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            long b = x.shape[0], t = x.shape[1];
            var qkvOut = qkv.call(x).view(b, t, 3, Heads, Width / Heads).permute(2, 0, 3, 1, 4);
            var y = core.call(qkvOut[0], qkvOut[1], qkvOut[2]);
            return dropout.call(proj.call(y.transpose(1, 2).contiguous().view(b, t, Width)));
        }
    }

    /// <summary>Attention written out: scores, causal mask, softmax, dropout, weighted values.</summary>
    private sealed class Core : nn.Module<Tensor, Tensor, Tensor, Tensor>
    {
        private readonly Dropout dropout = nn.Dropout(0.1);

        public Core() : base(nameof(Core)) => RegisterComponents();

        public override Tensor forward(Tensor q, Tensor k, Tensor v)
        {
            long t = q.shape[2];
            var scores = q.matmul(k.transpose(-2, -1)) / Math.Sqrt(q.shape[3]);
            var mask = torch.ones(t, t, device: q.device).triu(1).to(ScalarType.Bool);
            return dropout.call(scores.masked_fill(mask, double.NegativeInfinity).softmax(-1)).matmul(v);
        }
    }

    private sealed class Mlp : nn.Module<Tensor, Tensor>
    {
        private readonly Linear fc = nn.Linear(Width, 4 * Width);
        private readonly Linear proj = nn.Linear(4 * Width, Width);
        private readonly Dropout dropout = nn.Dropout(0.1);

        public Mlp() : base(nameof(Mlp)) => RegisterComponents();

        public override Tensor forward(Tensor x) => dropout.call(proj.call(nn.functional.gelu(fc.call(x))));
    }
}
