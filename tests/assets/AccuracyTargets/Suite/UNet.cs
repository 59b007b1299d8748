using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AccuracyTargets.Suite;

/// <summary>
/// A U-Net-like encoder/decoder with a custom forward, not a Sequential: the units are found in place, the entries of
/// the encoder's <c>ModuleList</c>. The forward keeps every encoder block's output for the decoder, which upsamples and
/// concatenates it (a skip connection) with its input, so unit outputs stay live well past the next unit; per-pixel
/// classes for the loss.
/// </summary>
public sealed class UNetTarget : SuiteTarget
{
    public const int Size = 32;
    public const int Classes = 4;
    public override string Name => "suite-unet";
    public override int DefaultBatchSize => 16;

    public override nn.Module<Tensor, Tensor> CreateModel(Device device) => new UNet().to(device);

    public override (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randn(batchSize, 3, Size, Size, device: device), randint(0, Classes, [batchSize, Size, Size], dtype: int64, device: device));
}

/// <summary>stem, four encoder blocks (the units), three decoder blocks that concatenate the encoder's outputs, head.</summary>
public sealed class UNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d stem;
    private readonly ModuleList<UNetDown> down;
    private readonly ModuleList<UNetUp> up;
    private readonly Conv2d head;

    public UNet() : base(nameof(UNet))
    {
        stem = nn.Conv2d(3, 16, 3, padding: 1);
        down = nn.ModuleList(new UNetDown(16, 16, 1), new UNetDown(16, 32, 2), new UNetDown(32, 64, 2), new UNetDown(64, 64, 2));
        up = nn.ModuleList(new UNetUp(64 + 64, 64), new UNetUp(64 + 32, 32), new UNetUp(32 + 16, 16));
        head = nn.Conv2d(16, UNetTarget.Classes, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = stem.call(x);
        var skips = new List<Tensor>();
        foreach (var block in down)
        {
            h = block.call(h);
            skips.Add(h);
        }
        for (int i = 0; i < up.Count; i++)
            h = up[i].call(h, skips[skips.Count - 2 - i]);
        return head.call(h);
    }
}

/// <summary>conv (stride s)-BN-ReLU-conv-BN-ReLU.</summary>
public sealed class UNetDown : nn.Module<Tensor, Tensor>
{
    private readonly Sequential body;

    public UNetDown(int cin, int cout, int stride) : base(nameof(UNetDown))
    {
        body = nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride: stride, padding: 1), nn.BatchNorm2d(cout), nn.ReLU(),
            nn.Conv2d(cout, cout, 3, padding: 1), nn.BatchNorm2d(cout), nn.ReLU());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => body.call(x);
}

/// <summary>upsample x2 (nearest), concatenate the skip, conv-BN-ReLU.</summary>
public sealed class UNetUp : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Sequential body;

    public UNetUp(int cin, int cout) : base(nameof(UNetUp))
    {
        body = nn.Sequential(nn.Conv2d(cin, cout, 3, padding: 1), nn.BatchNorm2d(cout), nn.ReLU());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor skip)
    {
        var u = nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
        return body.call(cat([u, skip], 1));
    }
}
