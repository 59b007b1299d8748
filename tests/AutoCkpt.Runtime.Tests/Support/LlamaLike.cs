using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Support;

/// <summary>How a <see cref="LlamaLike"/> model's blocks are called.</summary>
public enum BlockInputs
{
    /// <summary><c>block.call(x, cos, sin)</c>: rotary tables made once in the model's forward and passed down.</summary>
    Rotary,
    /// <summary><c>block.call(x, mask)</c>: a causal mask made once and passed down.</summary>
    Mask,
}

/// <summary>
/// A Llama-style decoder written the way TorchSharp users write it, with no IStagedModel: a token embedding, a
/// <c>ModuleList</c> of blocks of several inputs (RMSNorm, attention, SwiGLU, dropout), a final norm and a head tied to
/// the embedding's weight. With <c>lora</c>, every base weight is frozen and each block's attention and MLP get a
/// trainable low-rank adapter.
/// </summary>
internal sealed class LlamaLike : nn.Module<Tensor, Tensor>
{
    public const long Vocab = 32;
    public const long Dim = 16;
    public const long Heads = 2;
    public const long Seq = 8;

    private readonly TorchSharp.Modules.Embedding embed;
    private readonly TorchSharp.Modules.ModuleList<nn.Module> layers;
    private readonly RmsNorm norm;
    private readonly BlockInputs _inputs;

    public LlamaLike(BlockInputs inputs, int blocks = 3, bool lora = false, long seed = 1) : base(nameof(LlamaLike))
    {
        torch.manual_seed(seed);
        _inputs = inputs;
        embed = nn.Embedding(Vocab, Dim);
        layers = new TorchSharp.Modules.ModuleList<nn.Module>();
        for (int i = 0; i < blocks; i++)
            layers.Add(inputs == BlockInputs.Rotary ? new RotaryBlock(lora) : new MaskBlock(lora));
        norm = new RmsNorm(Dim);
        RegisterComponents();
        if (lora)
            foreach (var (name, p) in named_parameters())
                if (!name.Contains("lora", StringComparison.Ordinal))
                    p.requires_grad = false;
    }

    /// <summary>The blocks, as the ModuleList holds them.</summary>
    public IReadOnlyList<nn.Module> Blocks => [.. layers];

    public override Tensor forward(Tensor tokens)
    {
        var x = embed.call(tokens);
        long t = tokens.shape[1];
        if (_inputs == BlockInputs.Rotary)
        {
            var (cos, sin) = Rotary(t, Dim / Heads, x.device);
            foreach (var block in layers)
                x = ((nn.Module<Tensor, Tensor, Tensor, Tensor>)block).call(x, cos, sin);
        }
        else
        {
            var mask = torch.ones(t, t, device: x.device).triu(1).to(ScalarType.Bool);
            foreach (var block in layers)
                x = ((nn.Module<Tensor, Tensor, Tensor>)block).call(x, mask);
        }
        return norm.call(x).matmul(embed.weight!.t()); // the head, tied to the embedding
    }

    private static (Tensor Cos, Tensor Sin) Rotary(long t, long headDim, Device device)
    {
        var inv = torch.pow(10000.0, -torch.arange(0, headDim, 2, dtype: ScalarType.Float32, device: device) / headDim);
        var angles = torch.outer(torch.arange(t, dtype: ScalarType.Float32, device: device), inv);
        var both = torch.cat([angles, angles], -1);
        return (both.cos(), both.sin());
    }

    /// <summary>The loss of the logits against next tokens.</summary>
    public static Tensor Loss(Tensor logits, Tensor targets) =>
        nn.functional.cross_entropy(logits.reshape(-1, Vocab), targets.reshape(-1));

    /// <summary>A batch of random tokens and their targets.</summary>
    public static (Tensor Input, Tensor Target) Batch(long seed, long batch = 2)
    {
        torch.manual_seed(seed);
        var tokens = torch.randint(0, Vocab, [batch, Seq + 1]);
        return (tokens[.., ..(int)Seq].contiguous().DetachFromDisposeScope(), tokens[.., 1..].contiguous().DetachFromDisposeScope());
    }

    internal sealed class RmsNorm : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Parameter weight;

        public RmsNorm(long dim) : base(nameof(RmsNorm))
        {
            weight = new TorchSharp.Modules.Parameter(torch.ones(dim));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => x * torch.rsqrt(x.pow(2).mean([-1], keepdim: true) + 1e-6) * weight;
    }

    /// <summary>A linear layer with an optional low-rank adapter (LoRA): base(x) + up(down(x)).</summary>
    internal sealed class Adapted : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear base_;
        private readonly TorchSharp.Modules.Linear? lora_down;
        private readonly TorchSharp.Modules.Linear? lora_up;

        public Adapted(long input, long output, bool lora) : base(nameof(Adapted))
        {
            base_ = nn.Linear(input, output, hasBias: false);
            if (lora)
            {
                lora_down = nn.Linear(input, 2, hasBias: false);
                lora_up = nn.Linear(2, output, hasBias: false);
            }
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) =>
            lora_down is null ? base_.call(x) : base_.call(x) + lora_up!.call(lora_down.call(x));
    }

    /// <summary>The block's layers, shared by both block kinds.</summary>
    internal sealed class Layers : nn.Module
    {
        public readonly RmsNorm attn_norm = new(Dim);
        public readonly Adapted qkv;
        public readonly Adapted proj;
        public readonly RmsNorm mlp_norm = new(Dim);
        public readonly Adapted gate;
        public readonly Adapted up;
        public readonly Adapted down;
        public readonly TorchSharp.Modules.Dropout dropout = nn.Dropout(0.1);

        public Layers(bool lora) : base(nameof(Layers))
        {
            qkv = new Adapted(Dim, 3 * Dim, lora);
            proj = new Adapted(Dim, Dim, lora);
            gate = new Adapted(Dim, 2 * Dim, false);
            up = new Adapted(Dim, 2 * Dim, false);
            down = new Adapted(2 * Dim, Dim, lora);
            RegisterComponents();
        }

        public Tensor Run(Tensor x, Func<Tensor, Tensor> rotate, Tensor? mask)
        {
            long b = x.shape[0], t = x.shape[1], hd = Dim / Heads;
            var parts = qkv.call(attn_norm.call(x)).view(b, t, 3, Heads, hd).permute(2, 0, 3, 1, 4);
            var q = rotate(parts[0]);
            var k = rotate(parts[1]);
            var scores = q.matmul(k.transpose(-2, -1)) / Math.Sqrt(hd);
            scores = mask is null ? scores.masked_fill(torch.ones(t, t, device: x.device).triu(1).to(ScalarType.Bool), double.NegativeInfinity)
                                  : scores.masked_fill(mask, double.NegativeInfinity);
            var y = dropout.call(nn.functional.softmax(scores, -1)).matmul(parts[2]).transpose(1, 2).reshape(b, t, Dim);
            x = x + proj.call(y);
            var h = mlp_norm.call(x);
            return x + dropout.call(down.call(nn.functional.silu(gate.call(h)) * up.call(h)));
        }
    }

    /// <summary>A block called as <c>block.call(x, cos, sin)</c>.</summary>
    internal sealed class RotaryBlock : nn.Module<Tensor, Tensor, Tensor, Tensor>
    {
        private readonly Layers layers;

        public RotaryBlock(bool lora) : base(nameof(RotaryBlock))
        {
            layers = new Layers(lora);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x, Tensor cos, Tensor sin) => layers.Run(x, h => h * cos + RotateHalf(h) * sin, null);

        private static Tensor RotateHalf(Tensor h)
        {
            var halves = h.chunk(2, -1);
            return torch.cat([-halves[1], halves[0]], -1);
        }
    }

    /// <summary>A block called as <c>block.call(x, mask)</c>.</summary>
    internal sealed class MaskBlock : nn.Module<Tensor, Tensor, Tensor>
    {
        private readonly Layers layers;

        public MaskBlock(bool lora) : base(nameof(MaskBlock))
        {
            layers = new Layers(lora);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x, Tensor mask) => layers.Run(x, h => h, mask);
    }
}
