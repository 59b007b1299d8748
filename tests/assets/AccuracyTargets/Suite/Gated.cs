using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AccuracyTargets.Suite;

/// <summary>
/// Gated blocks: SwiGLU-style MLPs (<c>silu(gate(h)) * up(h)</c>) whose residual branch is scaled by a learned scalar,
/// alternating with mixture-of-two-experts blocks whose experts' outputs are weighted by a softmax gate. Each block
/// keeps several same-size intermediates (two branches, their product, the gate's weights) that the recompute must
/// rebuild.
/// </summary>
public sealed class GatedMoeTarget : SuiteTarget
{
    public const int Width = 256;
    public override string Name => "suite-gated-moe";
    public override int DefaultBatchSize => 512;

    public override nn.Module<Tensor, Tensor> CreateModel(Device device) => Stages(device,
        ("in", nn.Linear(64, Width)),
        ("glu0", new GatedMlp(Width)),
        ("moe0", new TwoExperts(Width)),
        ("glu1", new GatedMlp(Width)),
        ("moe1", new TwoExperts(Width)),
        ("head", nn.Sequential(nn.LayerNorm(Width), nn.Linear(Width, 10))));

    public override (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randn(batchSize, 64, device: device), randint(0, 10, [batchSize], dtype: int64, device: device));
}

/// <summary>y = x + alpha * down(silu(gate(ln(x))) * up(ln(x))), alpha a learned scalar.</summary>
public sealed class GatedMlp : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm ln;
    private readonly Linear gate;
    private readonly Linear up;
    private readonly Linear down;
    private readonly Parameter alpha;

    public GatedMlp(int width) : base(nameof(GatedMlp))
    {
        ln = nn.LayerNorm(width);
        gate = nn.Linear(width, 2 * width);
        up = nn.Linear(width, 2 * width);
        down = nn.Linear(2 * width, width);
        alpha = nn.Parameter(tensor(0.5f));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = ln.call(x);
        var g = nn.functional.silu(gate.call(h)) * up.call(h);
        return x + alpha * down.call(g);
    }
}

/// <summary>y = x + w0 * e0(ln(x)) + w1 * e1(ln(x)), (w0, w1) = softmax(router(ln(x))).</summary>
public sealed class TwoExperts : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm ln;
    private readonly Linear router;
    private readonly Sequential expert0;
    private readonly Sequential expert1;

    public TwoExperts(int width) : base(nameof(TwoExperts))
    {
        ln = nn.LayerNorm(width);
        router = nn.Linear(width, 2);
        expert0 = nn.Sequential(nn.Linear(width, 2 * width), nn.GELU(), nn.Linear(2 * width, width));
        expert1 = nn.Sequential(nn.Linear(width, 2 * width), nn.GELU(), nn.Linear(2 * width, width));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = ln.call(x);
        var w = nn.functional.softmax(router.call(h), -1);
        return x + w[.., 0..1] * expert0.call(h) + w[.., 1..2] * expert1.call(h);
    }
}
