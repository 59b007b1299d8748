using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.Llama.Model;

/// <summary>A pre-norm Llama block: x + attention(norm(x), cos, sin), then x + mlp(norm(x)).</summary>
public sealed class DecoderBlock : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly RmsNorm input_layernorm;
    private readonly Attention self_attn;
    private readonly RmsNorm post_attention_layernorm;
    private readonly SwiGlu mlp;

    /// <summary>Creates one block for <paramref name="config"/>.</summary>
    public DecoderBlock(LlamaConfig config) : base(nameof(DecoderBlock))
    {
        input_layernorm = new RmsNorm(config.Width, config.NormEps);
        self_attn = new Attention(config);
        post_attention_layernorm = new RmsNorm(config.Width, config.NormEps);
        mlp = new SwiGlu(config);
        RegisterComponents();
    }

    /// <summary>Maps x (batch, tokens, width) to the same shape, given the rotary tables (tokens, head size).</summary>
    public override Tensor forward(Tensor x, Tensor cos, Tensor sin)
    {
        x = x + self_attn.call(input_layernorm.call(x), cos, sin);
        return x + mlp.call(post_attention_layernorm.call(x));
    }
}
