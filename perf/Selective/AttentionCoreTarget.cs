using AutoCkpt;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Perf.Selective;

/// <summary>
/// A GPT with explicit attention whose core (scores, causal mask, softmax, dropout, weighted values) is its own module,
/// <c>attn.core</c>, at 512 tokens: the quadratic tensors Megatron-LM's selective recompute frees (docs/selective.md,
/// "Recompute a sub-module"). A Sequential of an embedding, 4 pre-norm blocks (<c>attn</c>, <c>mlp</c>) and a head;
/// width 128, 4 heads, batch 4.
/// </summary>
public sealed class AttentionCoreTarget : ICheckpointTarget
{
    private const int Width = 128, Heads = 4, Tokens = 512, Blocks = 4, Vocabulary = 256;

    public string Name => "attention-core";

    public int DefaultBatchSize => 4;

    public nn.Module<Tensor, Tensor> CreateModel(Device device)
    {
        torch.manual_seed(0);
        var stages = new List<(string, nn.Module<Tensor, Tensor>)> { ("embed", new Embed()) };
        for (int i = 0; i < Blocks; i++) stages.Add(($"block{i}", new Block()));
        stages.Add(("head", nn.Sequential(nn.LayerNorm(Width), nn.Linear(Width, Vocabulary))));
        return nn.Sequential(stages.ToArray()).to(device);
    }

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize)
    {
        var generator = new Generator(7);
        var tokens = torch.randint(0, Vocabulary, [batchSize, Tokens + 1], generator: generator).to(device);
        return (tokens[.., ..Tokens].contiguous(), tokens[.., 1..].contiguous());
    }

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.cross_entropy(output.reshape(-1, Vocabulary), target.reshape(-1));

    private sealed class Embed : nn.Module<Tensor, Tensor>
    {
        private readonly Embedding tokens = nn.Embedding(Vocabulary, Width);
        private readonly Embedding positions = nn.Embedding(Tokens, Width);

        public Embed() : base(nameof(Embed)) => RegisterComponents();

        public override Tensor forward(Tensor ids) => tokens.call(ids) + positions.call(torch.arange(ids.shape[1], device: ids.device));
    }

    private sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly LayerNorm ln1 = nn.LayerNorm(Width);
        private readonly Attention attn = new();
        private readonly LayerNorm ln2 = nn.LayerNorm(Width);
        private readonly Sequential mlp = nn.Sequential(nn.Linear(Width, 4 * Width), nn.GELU(), nn.Linear(4 * Width, Width), nn.Dropout(0.1));

        public Block() : base(nameof(Block)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            x = x + attn.call(ln1.call(x));
            return x + mlp.call(ln2.call(x));
        }
    }

    private sealed class Attention : nn.Module<Tensor, Tensor>
    {
        private readonly Linear qkv = nn.Linear(Width, 3 * Width);
        private readonly Core core = new();
        private readonly Linear proj = nn.Linear(Width, Width);
        private readonly Dropout dropout = nn.Dropout(0.1);

        public Attention() : base(nameof(Attention)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            long b = x.shape[0], t = x.shape[1];
            var parts = qkv.call(x).view(b, t, 3, Heads, Width / Heads).permute(2, 0, 3, 1, 4);
            var y = core.call(parts[0], parts[1], parts[2]);
            return dropout.call(proj.call(y.transpose(1, 2).contiguous().view(b, t, Width)));
        }
    }

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
}
