using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AccuracyTargets.Suite;

/// <summary>
/// In-place operations inside stages: <c>ReLU(inplace: true)</c> in a Sequential stage, and a residual added in place
/// (<c>add_</c>) onto a Linear's output. An in-place op reuses its input's memory, so a stage keeps less than its
/// operations' outputs add up to, and the recompute must do the same.
/// </summary>
public sealed class InPlaceTarget : SuiteTarget
{
    public const int Width = 256;
    public override string Name => "suite-inplace";
    public override int DefaultBatchSize => 2048;

    public override nn.Module<Tensor, Tensor> CreateModel(Device device)
    {
        var stages = new List<(string, nn.Module<Tensor, Tensor>)> { ("in", nn.Sequential(nn.Linear(64, Width), nn.ReLU(inplace: true))) };
        for (int i = 0; i < 4; i++)
            stages.Add(($"res{i}", new InPlaceResidual(Width)));
        stages.Add(("mlp", nn.Sequential(nn.Linear(Width, 2 * Width), nn.ReLU(inplace: true), nn.Linear(2 * Width, Width), nn.ReLU(inplace: true))));
        stages.Add(("head", nn.Linear(Width, 10)));
        return Stages(device, [.. stages]);
    }

    public override (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randn(batchSize, 64, device: device), randint(0, 10, [batchSize], dtype: int64, device: device));
}

/// <summary>y = fc2(relu_(fc1(ln(x)))); y.add_(x): the residual is added in place onto fc2's output.</summary>
public sealed class InPlaceResidual : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm ln;
    private readonly Linear fc1;
    private readonly Linear fc2;

    public InPlaceResidual(int width) : base(nameof(InPlaceResidual))
    {
        ln = nn.LayerNorm(width);
        fc1 = nn.Linear(width, 2 * width);
        fc2 = nn.Linear(2 * width, width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = fc1.call(ln.call(x));
        h.relu_();
        var y = fc2.call(h);
        return y.add_(x);
    }
}

/// <summary>
/// Stages of very different sizes: a wide first MLP (hidden width 4096) next to a single GELU, a LayerNorm alone, a
/// narrow Linear, and a mid-size block.
/// </summary>
public sealed class UnevenTarget : SuiteTarget
{
    public override string Name => "suite-uneven";
    public override int DefaultBatchSize => 512;

    public override nn.Module<Tensor, Tensor> CreateModel(Device device) => Stages(device,
        ("wide", nn.Sequential(nn.Linear(256, 4096), nn.GELU(), nn.Linear(4096, 256))),
        ("gelu", nn.GELU()),
        ("norm", nn.LayerNorm(256)),
        ("narrow", nn.Linear(256, 32)),
        ("up", nn.Sequential(nn.Linear(32, 1024), nn.Tanh(), nn.Linear(1024, 256), nn.GELU())),
        ("mid", nn.Sequential(nn.Linear(256, 1024), nn.GELU(), nn.Dropout(0.1), nn.Linear(1024, 256))),
        ("head", nn.Linear(256, 10)));

    public override (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randn(batchSize, 256, device: device), randint(0, 10, [batchSize], dtype: int64, device: device));
}

/// <summary>
/// A wide embedding table (32768 x 256: 32 MiB of weights, as much again in gradients and twice that in AdamW's
/// state), then MLP blocks over the tokens and a head: fixed memory dwarfs the activations, and the embedding's dense
/// gradient is made in its backward.
/// </summary>
public sealed class WideEmbeddingTarget : SuiteTarget
{
    public const int Vocabulary = 32768;
    public const int Width = 256;
    public const int Tokens = 64;
    public override string Name => "suite-wide-embedding";
    public override int DefaultBatchSize => 32;

    public override nn.Module<Tensor, Tensor> CreateModel(Device device) => Stages(device,
        ("embed", nn.Embedding(Vocabulary, Width)),
        ("mlp0", Mlp()),
        ("mlp1", Mlp()),
        ("mlp2", Mlp()),
        ("head", nn.Sequential(nn.LayerNorm(Width), nn.Linear(Width, 512))));

    private static nn.Module<Tensor, Tensor> Mlp() =>
        nn.Sequential(nn.LayerNorm(Width), nn.Linear(Width, 4 * Width), nn.GELU(), nn.Linear(4 * Width, Width), nn.Dropout(0.1));

    public override (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randint(0, Vocabulary, [batchSize, Tokens], dtype: int64, device: device), randint(0, 512, [batchSize, Tokens], dtype: int64, device: device));

    public override Tensor Loss(Tensor output, Tensor target) => TokenLoss(output, target);
}
