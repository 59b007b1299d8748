using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AccuracyTargets.Suite;

/// <summary>
/// An encoder-decoder transformer (translation-like) with a custom forward: source and target token ids come packed in
/// one input (batch, 2, tokens); an encoder <c>ModuleList</c> of self-attention blocks, a final LayerNorm whose output
/// (the memory) every decoder block reads, and a decoder <c>ModuleList</c> of blocks taking two inputs (the target
/// stream and the memory): causal self-attention, cross-attention to the memory, MLP. Units, named by pattern: the
/// blocks of both lists. The target embedding runs between the last encoder unit and the first decoder unit.
/// </summary>
public sealed class Seq2SeqTarget : SuiteTarget
{
    public const int Vocabulary = 512;
    public const int Tokens = 64;
    public override string Name => "suite-seq2seq";
    public override int DefaultBatchSize => 8;
    public override IReadOnlyList<string> Units => ["encoder.*", "decoder.*"];

    public override nn.Module<Tensor, Tensor> CreateModel(Device device) => new Seq2Seq().to(device);

    public override (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randint(0, Vocabulary, [batchSize, 2, Tokens], dtype: int64, device: device),
         randint(0, Vocabulary, [batchSize, Tokens], dtype: int64, device: device));

    public override Tensor Loss(Tensor output, Tensor target) => TokenLoss(output, target);
}

/// <summary>embeddings, 3 encoder blocks, memory norm, 3 decoder blocks, norm, head.</summary>
public sealed class Seq2Seq : nn.Module<Tensor, Tensor>
{
    private readonly Embedding sourceEmbedding;
    private readonly Embedding targetEmbedding;
    private readonly Parameter positions;
    private readonly ModuleList<AttentionBlock> encoder;
    private readonly LayerNorm memoryNorm;
    private readonly ModuleList<DecoderBlock> decoder;
    private readonly LayerNorm norm;
    private readonly Linear head;

    public Seq2Seq(int width = 128, int heads = 4, int depth = 3) : base(nameof(Seq2Seq))
    {
        sourceEmbedding = nn.Embedding(Seq2SeqTarget.Vocabulary, width);
        targetEmbedding = nn.Embedding(Seq2SeqTarget.Vocabulary, width);
        positions = nn.Parameter(randn(1, Seq2SeqTarget.Tokens, width) * 0.02);
        encoder = nn.ModuleList(Enumerable.Range(0, depth).Select(_ => new AttentionBlock(width, heads, fused: true, causal: false)).ToArray());
        memoryNorm = nn.LayerNorm(width);
        decoder = nn.ModuleList(Enumerable.Range(0, depth).Select(_ => new DecoderBlock(width, heads)).ToArray());
        norm = nn.LayerNorm(width);
        head = nn.Linear(width, Seq2SeqTarget.Vocabulary);
        RegisterComponents();
    }

    public override Tensor forward(Tensor pair)
    {
        var source = pair.select(1, 0);
        var target = pair.select(1, 1);
        var x = sourceEmbedding.call(source) + positions;
        foreach (var block in encoder) x = block.call(x);
        var memory = memoryNorm.call(x);
        var y = targetEmbedding.call(target) + positions;
        foreach (var block in decoder) y = block.call(y, memory);
        return head.call(norm.call(y));
    }
}

/// <summary>Pre-norm: causal self-attention, cross-attention (queries from the stream, keys and values from the memory), GELU MLP.</summary>
public sealed class DecoderBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly int heads;
    private readonly LayerNorm ln1;
    private readonly Linear qkv;
    private readonly Linear selfProj;
    private readonly LayerNorm ln2;
    private readonly Linear query;
    private readonly Linear keyValue;
    private readonly Linear crossProj;
    private readonly LayerNorm ln3;
    private readonly Linear fc;
    private readonly Linear fcOut;
    private readonly Dropout dropout = nn.Dropout(0.1);

    public DecoderBlock(int width, int heads) : base(nameof(DecoderBlock))
    {
        this.heads = heads;
        ln1 = nn.LayerNorm(width);
        qkv = nn.Linear(width, 3 * width);
        selfProj = nn.Linear(width, width);
        ln2 = nn.LayerNorm(width);
        query = nn.Linear(width, width);
        keyValue = nn.Linear(width, 2 * width);
        crossProj = nn.Linear(width, width);
        ln3 = nn.LayerNorm(width);
        fc = nn.Linear(width, 4 * width);
        fcOut = nn.Linear(4 * width, width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor y, Tensor memory)
    {
        long c = y.shape[2];
        var parts = qkv.call(ln1.call(y)).split(c, dim: 2);
        y = y + dropout.call(selfProj.call(Merge(nn.functional.scaled_dot_product_attention(Heads(parts[0]), Heads(parts[1]), Heads(parts[2]), is_casual: true))));
        var kv = keyValue.call(memory).split(c, dim: 2);
        y = y + dropout.call(crossProj.call(Merge(nn.functional.scaled_dot_product_attention(Heads(query.call(ln2.call(y))), Heads(kv[0]), Heads(kv[1])))));
        return y + dropout.call(fcOut.call(nn.functional.gelu(fc.call(ln3.call(y)))));
    }

    private Tensor Heads(Tensor x) => x.view(x.shape[0], x.shape[1], heads, x.shape[2] / heads).transpose(1, 2);

    private static Tensor Merge(Tensor x) => x.transpose(1, 2).contiguous().view(x.shape[0], x.shape[2], -1);
}
