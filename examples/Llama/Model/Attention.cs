using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.Llama.Model;

/// <summary>
/// Multi-head causal self-attention with rotary embeddings: q, k, v and output projections without bias (q and v
/// carry LoRA adapters when the config asks for them), scaled dot-product attention with a causal mask.
/// </summary>
public sealed class Attention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> q_proj;
    private readonly nn.Module<Tensor, Tensor> k_proj;
    private readonly nn.Module<Tensor, Tensor> v_proj;
    private readonly nn.Module<Tensor, Tensor> o_proj;
    private readonly int heads;

    /// <summary>Creates the layer for <paramref name="config"/>.</summary>
    public Attention(LlamaConfig config) : base(nameof(Attention))
    {
        if (config.Width % config.Heads != 0 || config.Width / config.Heads % 2 != 0)
            throw new ArgumentException($"width {config.Width} does not split into {config.Heads} heads of even size.", nameof(config));
        heads = config.Heads;
        q_proj = Projection(config, adapted: true);
        k_proj = Projection(config, adapted: false);
        v_proj = Projection(config, adapted: true);
        o_proj = Projection(config, adapted: false);
        RegisterComponents();
    }

    /// <summary>Maps x (batch, tokens, width) to the same shape; token t attends to tokens 0..t only.</summary>
    public override Tensor forward(Tensor x, Tensor cos, Tensor sin)
    {
        long b = x.shape[0], t = x.shape[1], c = x.shape[2];
        var q = Rotary.Apply(q_proj.call(x).view(b, t, heads, c / heads).transpose(1, 2), cos, sin);
        var k = Rotary.Apply(k_proj.call(x).view(b, t, heads, c / heads).transpose(1, 2), cos, sin);
        var v = v_proj.call(x).view(b, t, heads, c / heads).transpose(1, 2);
        var y = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);
        return o_proj.call(y.transpose(1, 2).contiguous().view(b, t, c));
    }

    private static nn.Module<Tensor, Tensor> Projection(LlamaConfig config, bool adapted) =>
        adapted && config.LoraRank > 0
            ? new LoraLinear(config.Width, config.Width, config.LoraRank, config.LoraAlpha)
            : nn.Linear(config.Width, config.Width, hasBias: false);
}
