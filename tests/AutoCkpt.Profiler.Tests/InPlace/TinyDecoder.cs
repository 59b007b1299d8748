using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.InPlace;

/// <summary>A block of three inputs, as Llama's: x + W2 gelu(W1 (x · scale)) · sin, with shared tables passed down.</summary>
internal sealed class TinyBlock : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly Linear up;
    private readonly Linear down;

    public TinyBlock(int width) : base(nameof(TinyBlock))
    {
        up = nn.Linear(width, 4 * width);
        down = nn.Linear(4 * width, width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor cos, Tensor sin) => x + down.call(nn.functional.gelu(up.call(x * cos))) * sin;
}

/// <summary>
/// A tiny decoder written as users write one: an embedding, tables made once per forward, a ModuleList of blocks
/// called with three inputs, and a head tied to the embedding. <paramref name="callTwice"/> calls block 1 twice (a
/// weight-shared block); <paramref name="frozenBase"/> freezes everything but the blocks' down projections.
/// </summary>
internal sealed class TinyDecoder : nn.Module<Tensor, Tensor>
{
    public const int Vocab = 64;
    public const int Width = 64;
    private readonly Embedding embed;
    private readonly ModuleList<TinyBlock> layers;
    private readonly bool callTwice;
    private readonly bool scaleBetween;

    public TinyDecoder(int blocks = 3, bool callTwice = false, bool frozenBase = false, bool scaleBetween = false) : base(nameof(TinyDecoder))
    {
        this.callTwice = callTwice;
        this.scaleBetween = scaleBetween;
        embed = nn.Embedding(Vocab, Width);
        layers = new ModuleList<TinyBlock>();
        for (int i = 0; i < blocks; i++) layers.Add(new TinyBlock(Width));
        RegisterComponents();
        if (frozenBase)
            foreach (var (name, p) in named_parameters())
                p.requires_grad = name.Contains(".down.", StringComparison.Ordinal);
    }

    public override Tensor forward(Tensor ids)
    {
        var x = embed.call(ids);
        var angles = arange(ids.shape[1], dtype: float32).unsqueeze(1) * arange(Width, dtype: float32) / Width;
        var (cos, sin) = (angles.cos(), angles.sin() + 1);
        for (int i = 0; i < layers.Count; i++)
        {
            x = layers[i].call(x, cos, sin);
            if (callTwice && i == 1) x = layers[i].call(x, cos, sin);
            if (scaleBetween && i + 1 < layers.Count) x = x * 0.5;
        }
        return nn.functional.linear(x, embed.weight!);
    }
}

/// <summary>The tiny decoder as a target: next-token cross-entropy on random ids, AdamW.</summary>
internal sealed class TinyDecoderTarget(int blocks = 3, bool callTwice = false, bool frozenBase = false, bool scaleBetween = false) : ICheckpointTarget
{
    public const int Tokens = 32;

    public string Name => "tiny-decoder";

    public nn.Module<Tensor, Tensor> CreateModel(Device device) => new TinyDecoder(blocks, callTwice, frozenBase, scaleBetween);

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randint(TinyDecoder.Vocab, [batchSize, Tokens]), randint(TinyDecoder.Vocab, [batchSize, Tokens]));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.cross_entropy(output.view(-1, TinyDecoder.Vocab), target.view(-1));

    public optim.Optimizer? CreateOptimizer(nn.Module model) => optim.AdamW(model.parameters().Where(p => p.requires_grad));
}
