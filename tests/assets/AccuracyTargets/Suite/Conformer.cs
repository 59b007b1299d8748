using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AccuracyTargets.Suite;

/// <summary>
/// A Conformer-like stack over audio-like frames, with a custom forward: an input projection, a <c>ModuleList</c> of
/// blocks (the units, found in place), mean pooling over time and a head. Each block: half a feed-forward
/// (<c>x + 0.5 * ffn(x)</c>), a convolution module (LayerNorm, transpose, pointwise Conv1d to twice the width, GLU,
/// depthwise Conv1d, BatchNorm1d, SiLU, pointwise Conv1d, transpose back), the second half feed-forward, LayerNorm.
/// Memory: transposed copies around the convolutions, the GLU's halves, batch-norm statistics in a recompute.
/// </summary>
public sealed class ConformerTarget : SuiteTarget
{
    public const int Features = 40;
    public const int Frames = 128;
    public const int Classes = 12;
    public override string Name => "suite-conformer";
    public override int DefaultBatchSize => 4;

    public override nn.Module<Tensor, Tensor> CreateModel(Device device) => new Conformer().to(device);

    public override (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randn(batchSize, Frames, Features, device: device), randint(0, Classes, [batchSize], dtype: int64, device: device));
}

/// <summary>Linear in, dropout, blocks, mean over time, head.</summary>
public sealed class Conformer : nn.Module<Tensor, Tensor>
{
    private readonly Linear input;
    private readonly Dropout dropout = nn.Dropout(0.1);
    private readonly ModuleList<ConformerBlock> layers;
    private readonly Linear head;

    public Conformer(int width = 96, int depth = 4) : base(nameof(Conformer))
    {
        input = nn.Linear(ConformerTarget.Features, width);
        layers = nn.ModuleList(Enumerable.Range(0, depth).Select(_ => new ConformerBlock(width)).ToArray());
        head = nn.Linear(width, ConformerTarget.Classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor frames)
    {
        var x = dropout.call(input.call(frames));
        for (int i = 0; i < layers.Count; i++)
            x = layers[i].call(x);
        return head.call(x.mean([1]));
    }
}

/// <summary>x + ffn1/2, x + conv, x + ffn2/2, LayerNorm.</summary>
public sealed class ConformerBlock : nn.Module<Tensor, Tensor>
{
    private readonly Sequential ffn1;
    private readonly ConvModule conv;
    private readonly Sequential ffn2;
    private readonly LayerNorm norm;

    public ConformerBlock(int width) : base(nameof(ConformerBlock))
    {
        ffn1 = FeedForward(width);
        conv = new ConvModule(width, 15);
        ffn2 = FeedForward(width);
        norm = nn.LayerNorm(width);
        RegisterComponents();
    }

    private static Sequential FeedForward(int width) => nn.Sequential(
        nn.LayerNorm(width), nn.Linear(width, 4 * width), nn.SiLU(), nn.Dropout(0.1), nn.Linear(4 * width, width), nn.Dropout(0.1));

    public override Tensor forward(Tensor x)
    {
        x = x + 0.5 * ffn1.call(x);
        x = x + conv.call(x);
        x = x + 0.5 * ffn2.call(x);
        return norm.call(x);
    }
}

/// <summary>LayerNorm, (b, t, c) to (b, c, t), pointwise conv, GLU, depthwise conv, BatchNorm1d, SiLU, pointwise conv, dropout, back.</summary>
public sealed class ConvModule : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm;
    private readonly Conv1d pointwiseIn;
    private readonly GLU glu = nn.GLU(1);
    private readonly Conv1d depthwise;
    private readonly BatchNorm1d batchNorm;
    private readonly SiLU silu = nn.SiLU();
    private readonly Conv1d pointwiseOut;
    private readonly Dropout dropout = nn.Dropout(0.1);

    public ConvModule(int width, int kernel) : base(nameof(ConvModule))
    {
        norm = nn.LayerNorm(width);
        pointwiseIn = nn.Conv1d(width, 2 * width, 1);
        depthwise = nn.Conv1d(width, width, kernel, padding: kernel / 2, groups: width);
        batchNorm = nn.BatchNorm1d(width);
        pointwiseOut = nn.Conv1d(width, width, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = norm.call(x).transpose(1, 2);
        h = glu.call(pointwiseIn.call(h));
        h = silu.call(batchNorm.call(depthwise.call(h)));
        return dropout.call(pointwiseOut.call(h)).transpose(1, 2);
    }
}
