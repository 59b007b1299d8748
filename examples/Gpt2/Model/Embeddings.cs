using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.Gpt2.Model;

/// <summary>The first stage: token embedding plus learned position embedding, then dropout.</summary>
public sealed class Embeddings : nn.Module<Tensor, Tensor>
{
    private readonly Embedding tokens;
    private readonly Embedding positions;
    private readonly Dropout dropout;

    /// <summary>Creates the embeddings for <paramref name="config"/>.</summary>
    public Embeddings(Gpt2Config config) : base(nameof(Embeddings))
    {
        tokens = nn.Embedding(config.VocabSize, config.Width);
        positions = nn.Embedding(config.ContextLength, config.Width);
        dropout = nn.Dropout(config.Dropout);
        RegisterComponents();
        // The token embedding is also the head's weight (tied): N(0, 1/width) keeps the first logits near unit scale
        // (the loss starts near ln(vocabulary)), where the embedding's default N(0, 1) would make them width times larger.
        using (no_grad()) nn.init.normal_(tokens.weight!, 0, 1 / Math.Sqrt(config.Width));
    }

    /// <summary>The token embedding's weight (vocabulary × width), which the head is tied to.</summary>
    public Tensor TokenWeight => tokens.weight!;

    /// <summary>Maps token ids (batch, tokens), int64, to (batch, tokens, width).</summary>
    public override Tensor forward(Tensor ids)
    {
        using var pos = arange(ids.shape[1], dtype: int64, device: ids.device);
        return dropout.call(tokens.call(ids) + positions.call(pos));
    }
}
