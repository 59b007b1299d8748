using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.Gpt2.Model;

/// <summary>
/// The last stage: final layer norm and the language-model head. The head's weight is not tied to the token
/// embedding, so that each parameter belongs to exactly one stage (IStagedModel's contract).
/// </summary>
public sealed class Head : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm;
    private readonly Linear lm;

    /// <summary>Creates the head for <paramref name="config"/>.</summary>
    public Head(Gpt2Config config) : base(nameof(Head))
    {
        norm = nn.LayerNorm(config.Width);
        lm = nn.Linear(config.Width, config.VocabSize, hasBias: false);
        RegisterComponents();
    }

    /// <summary>Maps (batch, tokens, width) to logits (batch, tokens, vocabulary).</summary>
    public override Tensor forward(Tensor x) => lm.call(norm.call(x));
}
