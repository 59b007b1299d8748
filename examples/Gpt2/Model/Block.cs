using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.Gpt2.Model;

/// <summary>A pre-norm decoder block: x + attn(ln1(x)), then x + mlp(ln2(x)), the MLP 4x wide with GELU.</summary>
public sealed class Block : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm ln1;
    private readonly CausalSelfAttention attn;
    private readonly LayerNorm ln2;
    private readonly Linear fc;
    private readonly GELU gelu;
    private readonly Linear proj;
    private readonly Dropout dropout;

    /// <summary>Creates one block for <paramref name="config"/>.</summary>
    public Block(Gpt2Config config) : base(nameof(Block))
    {
        ln1 = nn.LayerNorm(config.Width);
        attn = new CausalSelfAttention(config);
        ln2 = nn.LayerNorm(config.Width);
        fc = nn.Linear(config.Width, 4 * config.Width);
        gelu = nn.GELU();
        proj = nn.Linear(4 * config.Width, config.Width);
        dropout = nn.Dropout(config.Dropout);
        RegisterComponents();
    }

    /// <summary>Maps (batch, tokens, width) to the same shape.</summary>
    public override Tensor forward(Tensor x)
    {
        x = x + attn.call(ln1.call(x));
        return x + dropout.call(proj.call(gelu.call(fc.call(ln2.call(x)))));
    }
}
