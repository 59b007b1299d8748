using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.Gpt2.Model;

/// <summary>
/// The last stage: final layer norm and the language-model head, whose weight is the token embedding's (tied, as in
/// GPT-2). The head reads it through a delegate, so the weight is registered once, under the embeddings; a recomputed
/// head still gives it its gradient (the runtime differentiates every trainable parameter, docs/runtime.md).
/// </summary>
public sealed class Head : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm;
    private readonly Func<Tensor> _weight;

    /// <summary>Creates the head for <paramref name="config"/>, tied to <paramref name="weight"/> (vocabulary × width).</summary>
    public Head(Gpt2Config config, Func<Tensor> weight) : base(nameof(Head))
    {
        norm = nn.LayerNorm(config.Width);
        _weight = weight;
        RegisterComponents();
    }

    /// <summary>Maps (batch, tokens, width) to logits (batch, tokens, vocabulary).</summary>
    public override Tensor forward(Tensor x) => nn.functional.linear(norm.call(x), _weight());
}
