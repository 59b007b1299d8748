using AutoCkpt;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AccuracyTargets;

/// <summary>
/// A byte-level transformer as a Sequential, written as issue 15 describes it: an embedding stage, six pre-norm
/// blocks whose attention is explicit (a causal mask made in forward with ones(t,t).triu(1)), and a head.
/// </summary>
public sealed class ByteTransformer : ICheckpointTarget
{
    public const int Width = 256;
    public const int Heads = 4;
    public const int Tokens = 128;
    public const int Blocks = 6;
    public const int Vocabulary = 256;

    public string Name => "byte-transformer";
    public int DefaultBatchSize => 8;
    public long Seed => 15;

    public nn.Module<Tensor, Tensor> CreateModel(Device device)
    {
        var stages = new List<(string, nn.Module<Tensor, Tensor>)> { ("embed", new ByteEmbedding()) };
        for (var i = 0; i < Blocks; i++)
            stages.Add(($"block{i}", new ExplicitBlock()));
        stages.Add(("head", nn.Sequential(nn.LayerNorm(Width), nn.Linear(Width, Vocabulary))));
        return nn.Sequential(stages.ToArray()).to(device);
    }

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randint(0, Vocabulary, [batchSize, Tokens], dtype: int64, device: device),
         randint(0, Vocabulary, [batchSize, Tokens], dtype: int64, device: device));

    public Tensor Loss(Tensor output, Tensor target) =>
        nn.functional.cross_entropy(output.reshape(-1, Vocabulary), target.reshape(-1));

    public optim.Optimizer? CreateOptimizer(nn.Module model) => optim.AdamW(model.parameters());
}

/// <summary>Token and position embeddings, then dropout.</summary>
public sealed class ByteEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Embedding tokens = nn.Embedding(ByteTransformer.Vocabulary, ByteTransformer.Width);
    private readonly Embedding positions = nn.Embedding(ByteTransformer.Tokens, ByteTransformer.Width);
    private readonly Dropout dropout = nn.Dropout(0.1);

    public ByteEmbedding() : base(nameof(ByteEmbedding)) => RegisterComponents();

    public override Tensor forward(Tensor x)
    {
        var t = x.shape[1];
        return dropout.call(tokens.call(x) + positions.call(arange(t, device: x.device)));
    }
}

/// <summary>A pre-norm block with attention written out op by op, and a GELU MLP.</summary>
public sealed class ExplicitBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm ln1 = nn.LayerNorm(ByteTransformer.Width);
    private readonly Linear qkv = nn.Linear(ByteTransformer.Width, 3 * ByteTransformer.Width);
    private readonly Dropout attnDropout = nn.Dropout(0.1);
    private readonly Linear proj = nn.Linear(ByteTransformer.Width, ByteTransformer.Width);
    private readonly Dropout residDropout = nn.Dropout(0.1);
    private readonly LayerNorm ln2 = nn.LayerNorm(ByteTransformer.Width);
    private readonly Linear fc = nn.Linear(ByteTransformer.Width, 4 * ByteTransformer.Width);
    private readonly GELU gelu = nn.GELU();
    private readonly Linear fcOut = nn.Linear(4 * ByteTransformer.Width, ByteTransformer.Width);
    private readonly Dropout mlpDropout = nn.Dropout(0.1);

    public ExplicitBlock() : base(nameof(ExplicitBlock)) => RegisterComponents();

    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], t = x.shape[1], c = x.shape[2], h = ByteTransformer.Heads, d = c / h;
        var parts = qkv.call(ln1.call(x)).split(c, dim: 2);
        var q = parts[0].view(b, t, h, d).transpose(1, 2);
        var k = parts[1].view(b, t, h, d).transpose(1, 2);
        var v = parts[2].view(b, t, h, d).transpose(1, 2);
        var scores = matmul(q, k.transpose(-2, -1)) / Math.Sqrt(d);
        var mask = ones(t, t, device: x.device).triu(1).to_type(ScalarType.Bool);
        scores = scores.masked_fill(mask, double.NegativeInfinity);
        var attention = attnDropout.call(nn.functional.softmax(scores, -1));
        var y = matmul(attention, v).transpose(1, 2).contiguous().view(b, t, c);
        x = x + residDropout.call(proj.call(y));
        return x + mlpDropout.call(fcOut.call(gelu.call(fc.call(ln2.call(x)))));
    }
}
