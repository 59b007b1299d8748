namespace AutoCkpt.Perf.Accuracy;

/// <summary>A model of the suite: its target name in tests/assets/AccuracyTargets and what it does to memory.</summary>
/// <param name="Target">The ICheckpointTarget's name.</param>
/// <param name="Memory">What it does to memory, for the table.</param>
/// <param name="TinyBatch">The batch size of the test suite's fast subset.</param>
public sealed record SuiteModel(string Target, string Memory, int TinyBatch)
{
    /// <summary>Every model of the suite, in the table's order.</summary>
    public static IReadOnlyList<SuiteModel> All { get; } =
    [
        new("suite-explicit-attention", "attention written out, causal mask made in forward, dropout on the weights", 2),
        new("suite-sdpa-attention", "fused attention (scaled_dot_product_attention, causal), 256 tokens", 2),
        new("suite-inplace", "ReLU(inplace) inside stages, residual added in place (add_)", 256),
        new("suite-conv-bn-dropout", "Conv-BatchNorm-ReLU stages with Dropout2d", 8),
        new("suite-depthwise", "depthwise and grouped convs, single-op stages next to inverted-residual blocks", 4),
        new("suite-mixer", "MLP-Mixer: transposes and contiguous copies around token and channel MLPs", 8),
        new("suite-wide-embedding", "32768 x 256 embedding table: fixed memory dwarfs activations", 8),
        new("suite-uneven", "stages of very different sizes (a 4096-wide MLP next to a lone GELU)", 128),
        new("suite-recurrent", "GRU and LSTM stages over 64 tokens", 8),
        new("suite-gated-moe", "SiLU-gated MLPs with a learned residual scale, two-expert blocks with a softmax gate", 128),
        new("suite-unet", "U-Net, custom forward: units found in place (encoder ModuleList), skips concatenated in the decoder", 4),
        new("suite-vit", "ViT, custom forward: Conv2d patch embedding, cls token and positions as Parameters, inline attention in a ModuleList", 4),
        new("suite-conformer", "Conformer-like ModuleList: half-step FFNs, pointwise Conv1d-GLU-depthwise Conv1d-BatchNorm1d-SiLU, transposes", 2),
        new("suite-wavenet", "WaveNet/TCN: dilated causal gated Conv1d blocks; skip sum of each block's 1x1 conv (ModuleDict) in the model's loop", 1),
        new("suite-densenet", "DenseNet-BC, custom forward: two ModuleLists of bottleneck layers, each reading the concatenation of every earlier output", 4),
        new("suite-seq2seq", "encoder-decoder transformer: two ModuleLists (units by pattern), two-input decoder blocks reading the encoder's memory, cross-attention", 2),
    ];

    /// <summary>The models named in <paramref name="names"/> (all when null or empty); an unknown name throws.</summary>
    public static IReadOnlyList<SuiteModel> Select(IReadOnlyList<string>? names)
    {
        if (names is null || names.Count == 0) return All;
        return [.. names.Select(n => All.FirstOrDefault(m => m.Target == n)
            ?? throw new ArgumentException($"no suite model '{n}'; the models are: {string.Join(", ", All.Select(m => m.Target))}."))];
    }
}
