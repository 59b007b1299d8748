using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AccuracyTargets.Suite;

/// <summary>
/// A recurrent model: embeddings, a GRU stage, an LSTM stage, a projection and a per-token head. TorchSharp's GRU and
/// LSTM return a tuple; each stage keeps the output sequence. The recurrent kernels save their gates for the
/// backward, and a recompute re-runs the whole sequence.
/// </summary>
public sealed class RecurrentTarget : SuiteTarget
{
    public const int Width = 256;
    public const int Tokens = 64;
    public const int Vocabulary = 256;
    public override string Name => "suite-recurrent";
    public override int DefaultBatchSize => 32;

    public override nn.Module<Tensor, Tensor> CreateModel(Device device) => Stages(device,
        ("embed", nn.Sequential(nn.Embedding(Vocabulary, Width), nn.Dropout(0.1))),
        ("gru", new GruStage()),
        ("lstm", new LstmStage()),
        ("proj", nn.Sequential(nn.LayerNorm(Width), nn.Linear(Width, Width), nn.GELU())),
        ("head", nn.Linear(Width, Vocabulary)));

    public override (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) => TokenBatch(device, batchSize, Tokens, Vocabulary);

    public override Tensor Loss(Tensor output, Tensor target) => TokenLoss(output, target);
}

/// <summary>A one-layer GRU over (b, t, c), batch first; the output sequence.</summary>
public sealed class GruStage : nn.Module<Tensor, Tensor>
{
    private readonly GRU gru = nn.GRU(RecurrentTarget.Width, RecurrentTarget.Width, batchFirst: true);

    public GruStage() : base(nameof(GruStage)) => RegisterComponents();

    public override Tensor forward(Tensor x)
    {
        var (y, h) = gru.call(x, null);
        h.Dispose();
        return y;
    }
}

/// <summary>A one-layer LSTM over (b, t, c), batch first; the output sequence.</summary>
public sealed class LstmStage : nn.Module<Tensor, Tensor>
{
    private readonly LSTM lstm = nn.LSTM(RecurrentTarget.Width, RecurrentTarget.Width, batchFirst: true);

    public LstmStage() : base(nameof(LstmStage)) => RegisterComponents();

    public override Tensor forward(Tensor x)
    {
        var (y, h, c) = lstm.call(x, null);
        h.Dispose();
        c.Dispose();
        return y;
    }
}
