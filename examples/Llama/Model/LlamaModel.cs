using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.Llama.Model;

/// <summary>
/// A Llama-style decoder, written as TorchSharp users write one: a token embedding, a <c>ModuleList</c> of blocks
/// called with the rotary tables the model makes once per forward, a final RMSNorm, and a head tied to the token
/// embedding (a functional linear with the embedding's weight). Nothing in it is there for AutoCkpt: no
/// <c>IStagedModel</c>, no stages; AutoCkpt finds its units (the entries of <c>layers</c>) itself.
/// </summary>
public sealed class LlamaModel : nn.Module<Tensor, Tensor>
{
    private readonly Embedding embed_tokens;
    private readonly ModuleList<DecoderBlock> layers;
    private readonly RmsNorm norm;

    /// <summary>Creates a randomly initialised model of shape <paramref name="config"/>.</summary>
    public LlamaModel(LlamaConfig config) : base(nameof(LlamaModel))
    {
        Config = config;
        embed_tokens = nn.Embedding(config.VocabSize, config.Width);
        using (no_grad()) nn.init.normal_(embed_tokens.weight!, std: 0.02); // as Llama initialises it; the tied head reads it too
        layers = new ModuleList<DecoderBlock>();
        for (int i = 0; i < config.Layers; i++)
            layers.Add(new DecoderBlock(config));
        norm = new RmsNorm(config.Width, config.NormEps);
        RegisterComponents();
    }

    /// <summary>The model's shape.</summary>
    public LlamaConfig Config { get; }

    /// <summary>Maps token ids (batch, tokens) to next-token logits (batch, tokens, vocabulary).</summary>
    public override Tensor forward(Tensor ids)
    {
        var x = embed_tokens.call(ids);
        var (cos, sin) = Rotary.Tables(ids.shape[1], Config.Width / Config.Heads, Config.RopeTheta, ids.device);
        foreach (var layer in layers)
            x = layer.call(x, cos, sin);
        return nn.functional.linear(norm.call(x), embed_tokens.weight!);
    }

    /// <summary>
    /// Freezes everything but the LoRA adapters, as a LoRA fine-tune does: the embedding, the blocks' projections and
    /// norms keep their weights, so the blocks' input needs no gradient.
    /// </summary>
    public void FreezeBase()
    {
        foreach (var (name, parameter) in named_parameters())
            parameter.requires_grad = name.Contains(".lora_", StringComparison.Ordinal);
    }
}
