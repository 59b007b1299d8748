using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AccuracyTargets.Suite;

/// <summary>
/// A small ViT written as a TorchSharp user would, with a custom forward (not a Sequential): patches embedded by a
/// Conv2d of stride = patch, a learned class token and position embedding (<c>Parameter</c>s concatenated and added in
/// forward), a <c>ModuleList</c> of pre-norm blocks (the units, found in place) with the attention written inline, and
/// a head on the class token. Memory: the (b, heads, t, t) scores and their softmax and dropout per block, a 4x GELU MLP.
/// </summary>
public sealed class VisionTransformerTarget : SuiteTarget
{
    public const int Size = 32;
    public const int Classes = 10;
    public override string Name => "suite-vit";
    public override int DefaultBatchSize => 8;

    public override nn.Module<Tensor, Tensor> CreateModel(Device device) => new VisionTransformer().to(device);

    public override (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        Images(device, batchSize, 3, Size, Classes);
}

/// <summary>patch embedding, [cls; patches] + positions, dropout, blocks, LayerNorm, head on the class token.</summary>
public sealed class VisionTransformer : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d patchEmbed;
    private readonly Parameter clsToken;
    private readonly Parameter posEmbed;
    private readonly Dropout embedDropout = nn.Dropout(0.1);
    private readonly ModuleList<VitBlock> blocks;
    private readonly LayerNorm norm;
    private readonly Linear head;

    public VisionTransformer(int patch = 4, int width = 128, int heads = 4, int depth = 4) : base(nameof(VisionTransformer))
    {
        int patches = VisionTransformerTarget.Size / patch * (VisionTransformerTarget.Size / patch);
        patchEmbed = nn.Conv2d(3, width, patch, stride: patch);
        clsToken = nn.Parameter(zeros(1, 1, width));
        posEmbed = nn.Parameter(randn(1, patches + 1, width) * 0.02);
        blocks = nn.ModuleList(Enumerable.Range(0, depth).Select(_ => new VitBlock(width, heads)).ToArray());
        norm = nn.LayerNorm(width);
        head = nn.Linear(width, VisionTransformerTarget.Classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor images)
    {
        var x = patchEmbed.call(images).flatten(2).transpose(1, 2);          // (b, patches, width)
        var cls = clsToken.expand(x.shape[0], -1, -1);
        x = embedDropout.call(cat([cls, x], 1) + posEmbed);
        foreach (var block in blocks)
            x = block.call(x);
        return head.call(norm.call(x)[.., 0]);
    }
}

/// <summary>x + attn(ln1(x)), then x + mlp(ln2(x)); the attention's scores, softmax and dropout written out.</summary>
public sealed class VitBlock : nn.Module<Tensor, Tensor>
{
    private readonly int heads;
    private readonly LayerNorm ln1;
    private readonly Linear qkv;
    private readonly Dropout attnDropout = nn.Dropout(0.1);
    private readonly Linear proj;
    private readonly LayerNorm ln2;
    private readonly Linear fc1;
    private readonly GELU gelu = nn.GELU();
    private readonly Linear fc2;
    private readonly Dropout dropout = nn.Dropout(0.1);

    public VitBlock(int width, int heads) : base(nameof(VitBlock))
    {
        this.heads = heads;
        ln1 = nn.LayerNorm(width);
        qkv = nn.Linear(width, 3 * width);
        proj = nn.Linear(width, width);
        ln2 = nn.LayerNorm(width);
        fc1 = nn.Linear(width, 4 * width);
        fc2 = nn.Linear(4 * width, width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], t = x.shape[1], c = x.shape[2], d = c / heads;
        var qkvHeads = qkv.call(ln1.call(x)).reshape(b, t, 3, heads, d).permute(2, 0, 3, 1, 4);
        Tensor q = qkvHeads[0], k = qkvHeads[1], v = qkvHeads[2];
        var scores = matmul(q, k.transpose(-2, -1)) * (1.0 / Math.Sqrt(d));
        var weights = attnDropout.call(nn.functional.softmax(scores, -1));
        var attended = matmul(weights, v).transpose(1, 2).reshape(b, t, c);
        x = x + dropout.call(proj.call(attended));
        return x + dropout.call(fc2.call(gelu.call(fc1.call(ln2.call(x)))));
    }
}
