using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Support;

/// <summary>
/// A Llama-style decoder whose blocks (<c>block.call(x, cos, sin)</c>) have <c>self_attn</c> (three inputs: x and the
/// rotary tables; SDPA with dropout) and <c>mlp</c> (SwiGLU) as sub-modules. No IStagedModel: the blocks sit in a
/// <c>ModuleList</c>, the head is tied to the embedding.
/// </summary>
internal sealed class SubModuleLlama : nn.Module<Tensor, Tensor>
{
    private const long Dim = LlamaLike.Dim;
    private const long Heads = LlamaLike.Heads;
    private readonly Embedding embed;
    private readonly ModuleList<Block> layers;
    private readonly LlamaLike.RmsNorm norm;

    public SubModuleLlama(int blocks = 3, long seed = 1) : base(nameof(SubModuleLlama))
    {
        torch.manual_seed(seed);
        embed = nn.Embedding(LlamaLike.Vocab, Dim);
        layers = new ModuleList<Block>();
        for (int i = 0; i < blocks; i++)
            layers.Add(new Block());
        norm = new LlamaLike.RmsNorm(Dim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor tokens)
    {
        var x = embed.call(tokens);
        long t = tokens.shape[1];
        var inv = torch.pow(10000.0, -torch.arange(0, Dim / Heads, 2, dtype: ScalarType.Float32) / (Dim / Heads));
        var angles = torch.outer(torch.arange(t, dtype: ScalarType.Float32), inv);
        var both = torch.cat([angles, angles], -1);
        var (cos, sin) = (both.cos(), both.sin());
        foreach (var layer in layers)
            x = layer.call(x, cos, sin);
        return norm.call(x).matmul(embed.weight!.t());
    }

    private sealed class Block : nn.Module<Tensor, Tensor, Tensor, Tensor>
    {
        private readonly LlamaLike.RmsNorm input_layernorm = new(Dim);
        private readonly Attention self_attn = new();
        private readonly LlamaLike.RmsNorm post_attention_layernorm = new(Dim);
        private readonly SwiGlu mlp = new();

        public Block() : base(nameof(Block)) => RegisterComponents();

        public override Tensor forward(Tensor x, Tensor cos, Tensor sin)
        {
            x = x + self_attn.call(input_layernorm.call(x), cos, sin);
            return x + mlp.call(post_attention_layernorm.call(x));
        }
    }

    private sealed class Attention : nn.Module<Tensor, Tensor, Tensor, Tensor>
    {
        private readonly Linear q_proj = nn.Linear(Dim, Dim, hasBias: false);
        private readonly Linear k_proj = nn.Linear(Dim, Dim, hasBias: false);
        private readonly Linear v_proj = nn.Linear(Dim, Dim, hasBias: false);
        private readonly Linear o_proj = nn.Linear(Dim, Dim, hasBias: false);

        public Attention() : base(nameof(Attention)) => RegisterComponents();

        public override Tensor forward(Tensor x, Tensor cos, Tensor sin)
        {
            long b = x.shape[0], t = x.shape[1];
            Tensor Heads_(Tensor h) => h.view(b, t, Heads, Dim / Heads).transpose(1, 2);
            Tensor Rotate(Tensor h) => h * cos + torch.cat([-h[.., .., .., (int)(Dim / Heads / 2)..], h[.., .., .., ..(int)(Dim / Heads / 2)]], -1) * sin;
            var q = Rotate(Heads_(q_proj.call(x)));
            var k = Rotate(Heads_(k_proj.call(x)));
            var y = nn.functional.scaled_dot_product_attention(q, k, Heads_(v_proj.call(x)), is_casual: true, p: training ? 0.1 : 0.0);
            return o_proj.call(y.transpose(1, 2).contiguous().view(b, t, Dim));
        }
    }

    private sealed class SwiGlu : nn.Module<Tensor, Tensor>
    {
        private readonly Linear gate_proj = nn.Linear(Dim, 3 * Dim, hasBias: false);
        private readonly Linear up_proj = nn.Linear(Dim, 3 * Dim, hasBias: false);
        private readonly Linear down_proj = nn.Linear(3 * Dim, Dim, hasBias: false);

        public SwiGlu() : base(nameof(SwiGlu)) => RegisterComponents();

        public override Tensor forward(Tensor x) => down_proj.call(nn.functional.silu(gate_proj.call(x)) * up_proj.call(x));
    }
}
