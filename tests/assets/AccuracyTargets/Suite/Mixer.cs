using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AccuracyTargets.Suite;

/// <summary>
/// An MLP-Mixer: a patch embedding (a strided conv, flattened and transposed to tokens), mixer blocks that transpose
/// tokens and channels back and forth around their MLPs, and a pooling head. Reshape-heavy: views, transposes and the
/// copies <c>contiguous</c> makes.
/// </summary>
public sealed class MixerTarget : SuiteTarget
{
    public const int Patch = 4;
    public const int Size = 32;
    public const int Channels = 128;
    public const int Patches = Size / Patch * (Size / Patch);
    public override string Name => "suite-mixer";
    public override int DefaultBatchSize => 32;

    public override nn.Module<Tensor, Tensor> CreateModel(Device device)
    {
        var stages = new List<(string, nn.Module<Tensor, Tensor>)> { ("patches", new PatchEmbedding()) };
        for (int i = 0; i < 4; i++)
            stages.Add(($"mixer{i}", new MixerBlock()));
        stages.Add(("head", new MixerHead()));
        return Stages(device, [.. stages]);
    }

    public override (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) => Images(device, batchSize, 3, Size, 10);
}

/// <summary>Conv with stride = kernel = patch size, then (b, c, h, w) → (b, h·w, c).</summary>
public sealed class PatchEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv = nn.Conv2d(3, MixerTarget.Channels, MixerTarget.Patch, stride: MixerTarget.Patch);

    public PatchEmbedding() : base(nameof(PatchEmbedding)) => RegisterComponents();

    public override Tensor forward(Tensor x) => conv.call(x).flatten(2).transpose(1, 2);
}

/// <summary>Token mixing (an MLP across patches, on the transposed tokens), then channel mixing; both residual.</summary>
public sealed class MixerBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm ln1 = nn.LayerNorm(MixerTarget.Channels);
    private readonly Linear token1 = nn.Linear(MixerTarget.Patches, 2 * MixerTarget.Patches);
    private readonly Linear token2 = nn.Linear(2 * MixerTarget.Patches, MixerTarget.Patches);
    private readonly LayerNorm ln2 = nn.LayerNorm(MixerTarget.Channels);
    private readonly Linear channel1 = nn.Linear(MixerTarget.Channels, 4 * MixerTarget.Channels);
    private readonly Linear channel2 = nn.Linear(4 * MixerTarget.Channels, MixerTarget.Channels);

    public MixerBlock() : base(nameof(MixerBlock)) => RegisterComponents();

    public override Tensor forward(Tensor x)
    {
        var t = ln1.call(x).transpose(1, 2).contiguous();
        x = x + token2.call(nn.functional.gelu(token1.call(t))).transpose(1, 2);
        return x + channel2.call(nn.functional.gelu(channel1.call(ln2.call(x))));
    }
}

/// <summary>LayerNorm, mean over patches, Linear to classes.</summary>
public sealed class MixerHead : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm ln = nn.LayerNorm(MixerTarget.Channels);
    private readonly Linear fc = nn.Linear(MixerTarget.Channels, 10);

    public MixerHead() : base(nameof(MixerHead)) => RegisterComponents();

    public override Tensor forward(Tensor x) => fc.call(ln.call(x).mean([1]));
}
