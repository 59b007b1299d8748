using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AccuracyTargets.Suite;

/// <summary>Token and position embeddings, then dropout.</summary>
public sealed class TokenEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Embedding tokens;
    private readonly Embedding positions;
    private readonly Dropout dropout = nn.Dropout(0.1);

    public TokenEmbedding(int vocabulary, int maxTokens, int width) : base(nameof(TokenEmbedding))
    {
        tokens = nn.Embedding(vocabulary, width);
        positions = nn.Embedding(maxTokens, width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => dropout.call(tokens.call(x) + positions.call(arange(x.shape[1], device: x.device)));
}

/// <summary>
/// A pre-norm transformer block. Fused: <c>scaled_dot_product_attention</c> with <c>is_causal</c>. Explicit: the
/// attention written out, with the causal mask made in forward (<c>ones(t,t).triu(1)</c>), <c>masked_fill</c>,
/// softmax and dropout on the attention weights. Fused and not <c>causal</c>: every token attends to every token (an encoder).
/// </summary>
public sealed class AttentionBlock : nn.Module<Tensor, Tensor>
{
    private readonly int heads;
    private readonly bool fused;
    private readonly bool causal;
    private readonly LayerNorm ln1;
    private readonly Linear qkv;
    private readonly Dropout attnDropout = nn.Dropout(0.1);
    private readonly Linear proj;
    private readonly Dropout residDropout = nn.Dropout(0.1);
    private readonly LayerNorm ln2;
    private readonly Linear fc;
    private readonly GELU gelu = nn.GELU();
    private readonly Linear fcOut;
    private readonly Dropout mlpDropout = nn.Dropout(0.1);

    public AttentionBlock(int width, int heads, bool fused, bool causal = true) : base(nameof(AttentionBlock))
    {
        this.heads = heads;
        this.fused = fused;
        this.causal = causal;
        ln1 = nn.LayerNorm(width);
        qkv = nn.Linear(width, 3 * width);
        proj = nn.Linear(width, width);
        ln2 = nn.LayerNorm(width);
        fc = nn.Linear(width, 4 * width);
        fcOut = nn.Linear(4 * width, width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], t = x.shape[1], c = x.shape[2], h = heads, d = c / h;
        var parts = qkv.call(ln1.call(x)).split(c, dim: 2);
        var q = parts[0].view(b, t, h, d).transpose(1, 2);
        var k = parts[1].view(b, t, h, d).transpose(1, 2);
        var v = parts[2].view(b, t, h, d).transpose(1, 2);
        Tensor y;
        if (fused)
        {
            y = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: causal);
        }
        else
        {
            var scores = matmul(q, k.transpose(-2, -1)) / Math.Sqrt(d);
            var mask = ones(t, t, device: x.device).triu(1).to_type(ScalarType.Bool);
            var attention = attnDropout.call(nn.functional.softmax(scores.masked_fill(mask, double.NegativeInfinity), -1));
            y = matmul(attention, v);
        }
        x = x + residDropout.call(proj.call(y.transpose(1, 2).contiguous().view(b, t, c)));
        return x + mlpDropout.call(fcOut.call(gelu.call(fc.call(ln2.call(x)))));
    }
}

/// <summary>A small GPT as a Sequential: embeddings, pre-norm blocks, a head.</summary>
public abstract class GptTarget : SuiteTarget
{
    protected abstract bool Fused { get; }
    protected virtual int Width => 128;
    protected virtual int Heads => 4;
    protected virtual int Tokens => 128;
    protected virtual int Blocks => 4;
    protected const int Vocabulary = 256;

    public override int DefaultBatchSize => 8;

    public override nn.Module<Tensor, Tensor> CreateModel(Device device)
    {
        var stages = new List<(string, nn.Module<Tensor, Tensor>)> { ("embed", new TokenEmbedding(Vocabulary, Tokens, Width)) };
        for (int i = 0; i < Blocks; i++)
            stages.Add(($"block{i}", new AttentionBlock(Width, Heads, Fused)));
        stages.Add(("head", nn.Sequential(nn.LayerNorm(Width), nn.Linear(Width, Vocabulary))));
        return Stages(device, [.. stages]);
    }

    public override (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) => TokenBatch(device, batchSize, Tokens, Vocabulary);

    public override Tensor Loss(Tensor output, Tensor target) => TokenLoss(output, target);
}

/// <summary>Attention written out, the causal mask made in forward, dropout on the attention weights.</summary>
public sealed class ExplicitAttentionTarget : GptTarget
{
    public override string Name => "suite-explicit-attention";
    protected override bool Fused => false;
}

/// <summary>Fused attention: <c>scaled_dot_product_attention</c>, causal.</summary>
public sealed class FusedAttentionTarget : GptTarget
{
    public override string Name => "suite-sdpa-attention";
    protected override bool Fused => true;
    protected override int Tokens => 256;
}
