using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.Gpt2.Model;

/// <summary>Multi-head causal self-attention: one fused q/k/v projection, scaled dot-product attention, an output projection.</summary>
public sealed class CausalSelfAttention : nn.Module<Tensor, Tensor>
{
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly Dropout residualDropout;
    private readonly int heads;
    private readonly double attentionDropout;

    /// <summary>Creates the layer for <paramref name="config"/>.</summary>
    public CausalSelfAttention(Gpt2Config config) : base(nameof(CausalSelfAttention))
    {
        if (config.Width % config.Heads != 0)
            throw new ArgumentException($"width {config.Width} is not a multiple of {config.Heads} heads.", nameof(config));
        heads = config.Heads;
        attentionDropout = config.Dropout;
        qkv = nn.Linear(config.Width, 3 * config.Width);
        proj = nn.Linear(config.Width, config.Width);
        residualDropout = nn.Dropout(config.Dropout);
        RegisterComponents();
    }

    /// <summary>Maps (batch, tokens, width) to the same shape; token t attends to tokens 0..t only.</summary>
    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], t = x.shape[1], c = x.shape[2];
        var parts = qkv.call(x).split(c, dim: 2);
        var q = parts[0].view(b, t, heads, c / heads).transpose(1, 2);
        var k = parts[1].view(b, t, heads, c / heads).transpose(1, 2);
        var v = parts[2].view(b, t, heads, c / heads).transpose(1, 2);
        var y = nn.functional.scaled_dot_product_attention(q, k, v, p: training ? attentionDropout : 0.0, is_casual: true);
        y = y.transpose(1, 2).contiguous().view(b, t, c);
        return residualDropout.call(proj.call(y));
    }
}
