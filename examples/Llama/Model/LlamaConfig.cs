namespace AutoCkpt.Examples.Llama.Model;

/// <summary>The shape of a Llama-style decoder.</summary>
/// <param name="VocabSize">Number of token ids (256 for byte-level text).</param>
/// <param name="ContextLength">Tokens per sequence.</param>
/// <param name="Layers">Number of decoder blocks.</param>
/// <param name="Heads">Attention heads per block; must divide <paramref name="Width"/> into an even head size.</param>
/// <param name="Width">Embedding width (d_model).</param>
/// <param name="Hidden">The SwiGLU MLP's inner width.</param>
/// <param name="LoraRank">Rank of the low-rank adapters on the attention's q and v projections; 0 for none.</param>
public sealed record LlamaConfig(int VocabSize, int ContextLength, int Layers, int Heads, int Width, int Hidden, int LoraRank = 0)
{
    /// <summary>Rotary embedding base (Llama's 10000).</summary>
    public double RopeTheta { get; init; } = 10000;

    /// <summary>RMSNorm's epsilon.</summary>
    public double NormEps { get; init; } = 1e-5;

    /// <summary>LoRA's alpha: the adapters' output is scaled by alpha / rank.</summary>
    public double LoraAlpha { get; init; } = 16;

    /// <summary>Trains in about a minute on 2 CPU cores: 6 blocks of width 128, 128 byte tokens of context.</summary>
    public static LlamaConfig Tiny { get; } = new(256, 128, 6, 4, 128, 352);

    /// <summary>TinyLlama-1.1B's shape (22 blocks, width 2048, SwiGLU 5632, vocabulary 32000), 2048 tokens. For a GPU.</summary>
    public static LlamaConfig OneB { get; } = new(32000, 2048, 22, 32, 2048, 5632);
}
