namespace AutoCkpt.Examples.Gpt2.Model;

/// <summary>The shape of a GPT-2-style decoder.</summary>
/// <param name="VocabSize">Number of token ids (256 for byte-level text).</param>
/// <param name="ContextLength">Tokens per sequence (and learned positions).</param>
/// <param name="Layers">Number of decoder blocks.</param>
/// <param name="Heads">Attention heads per block; must divide <paramref name="Width"/>.</param>
/// <param name="Width">Embedding width (d_model).</param>
/// <param name="Dropout">Dropout probability on embeddings, attention weights and residual branches.</param>
public sealed record Gpt2Config(int VocabSize, int ContextLength, int Layers, int Heads, int Width, double Dropout)
{
    /// <summary>Trains in minutes on 2 CPU cores: 6 blocks of width 128, 128 byte tokens of context.</summary>
    public static Gpt2Config Tiny { get; } = new(256, 128, 6, 4, 128, 0.1);

    /// <summary>
    /// Tiny's blocks, 16 of them: deep enough that the block outputs every_stage keeps weigh against one block's work,
    /// so multi-level recompute reaches well below every_stage's peak (docs/planner.md, "Multi-level recompute").
    /// </summary>
    public static Gpt2Config Deep { get; } = new(256, 128, 16, 4, 128, 0.1);

    /// <summary>GPT-2 small's shape (124M parameters with its 50257-token vocabulary): 12 blocks, width 768.</summary>
    public static Gpt2Config Small { get; } = new(50257, 1024, 12, 12, 768, 0.1);

    /// <summary>GPT-2 medium's shape (355M parameters): 24 blocks, width 1024, 16 heads.</summary>
    public static Gpt2Config Medium { get; } = new(50257, 1024, 24, 16, 1024, 0.1);

    /// <summary>The preset called <paramref name="name"/> ("tiny", "deep", "small" or "medium").</summary>
    public static Gpt2Config Named(string name) => name.ToLowerInvariant() switch
    {
        "tiny" => Tiny,
        "deep" => Deep,
        "small" => Small,
        "medium" => Medium,
        _ => throw new ArgumentException($"unknown GPT-2 preset '{name}': use tiny, deep, small or medium.", nameof(name)),
    };
}
