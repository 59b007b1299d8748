// The probe behind docs/selective.md, "Attainable": how much of a transformer block's forward its Linear layers take
// on this CPU, and how many bytes their outputs hold, on the three transformers of issue 18 (examples/Gpt2 tiny,
// examples/Llama tiny, the accuracy suite's explicit-attention GPT). Per block, interleaved rounds of the model's
// forward with autograd (as a recompute runs it):
//   full    the block as written; hooks time every Linear inside it (pre-hook to post-hook);
//   skipped each Linear inside the block gets an empty batch and returns an output kept from the full run (a leaf that
//           requires grad), so the rest of the block runs and records as in a save-matmuls recompute.
// Usage: dotnet run -c Release --project perf/Selective -- [rounds] [threads]
// Then the runtime itself, per model, interleaved training steps: plain, every block recomputed, every block
// save-matmuls (docs/selective.md): what each keeps after the forward, the step's peak and time, and the recompute's
// cost (step time less the plain step's) of save-matmuls against a full recompute.
//   dotnet run -c Release --project perf/Selective -- steps [rounds] [threads]
using System.Diagnostics;
using AccuracyTargets.Suite;
using AutoCkpt;
using AutoCkpt.Examples.Gpt2;
using AutoCkpt.Examples.Llama;
using AutoCkpt.Perf.Selective;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

bool steps = args.Length > 0 && args[0] == "steps";
if (steps) args = args[1..];
int rounds = args.Length > 0 ? int.Parse(args[0]) : 7;
if (args.Length > 1) torch.set_num_threads(int.Parse(args[1]));
var targets = new (ICheckpointTarget Target, string BlockType)[]
{
    (new Gpt2Tiny(), "Block"),
    (new LlamaTiny(), "DecoderBlock"),
    (new ExplicitAttentionTarget(), "AttentionBlock"),
};
if (steps)
{
    Steps.Run(targets, rounds);
    return;
}
Console.WriteLine($"{Environment.ProcessorCount} CPUs, {torch.get_num_threads()} torch threads; medians of {rounds} rounds, per block, forward with autograd");
Console.WriteLine("| model | block forward (full) | of which Linear | Linear share | forward, matmuls skipped | skipped/full | Linear outputs per block |");
Console.WriteLine("|---|---|---|---|---|---|---|");
foreach (var (target, blockType) in targets)
{
    var model = target.CreateModel(CPU);
    model.train();
    var (input, _) = target.CreateBatch(CPU, target.DefaultBatchSize);
    var blocks = model.named_modules().Where(m => m.module.GetType().Name == blockType).Select(m => m.module).ToList();
    var probe = new BlockProbe(blocks);
    for (int r = 0; r <= rounds; r++)
        foreach (bool skip in new[] { false, true })
        {
            probe.Skip = skip;
            probe.Record = r > 0;
            using var scope = torch.NewDisposeScope();
            model.call(input);
            probe.EndForward();
        }
    long a = input.shape[0] * input.shape[1] * 128 * 4;
    double full = Median(probe.Full), linear = Median(probe.Linear), skipped = Median(probe.Skipped);
    Console.WriteLine($"| {target.Name} ({blocks.Count} blocks) | {full * 1e3:F2} ms | {linear * 1e3:F2} ms | {linear / full:P0} | {skipped * 1e3:F2} ms | {skipped / full:F2} | {probe.OutputBytes / (double)blocks.Count / (1 << 20):F2} MiB ({probe.OutputBytes / (double)blocks.Count / a:F1}a) |");
}

static double Median(List<double> xs) { var s = xs.Order().ToArray(); return s.Length == 0 ? double.NaN : s[s.Length / 2]; }

/// <summary>Hooks on each block and on every Linear inside it: times, output bytes, and the skipped mode.</summary>
sealed class BlockProbe
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<Linear, List<Tensor>> _kept = [];
    private readonly Dictionary<Linear, int> _calls = [];
    private double _blockStart, _linearStart, _linearSum;
    public bool Skip { get; set; }
    public bool Record { get; set; }
    public List<double> Full { get; } = [];
    public List<double> Linear { get; } = [];
    public List<double> Skipped { get; } = [];
    public long OutputBytes { get; private set; }
    private bool _bytesCounted;

    public BlockProbe(List<nn.Module> blocks)
    {
        foreach (var block in blocks)
        {
            if (block is nn.Module<Tensor, Tensor> one)
            {
                one.register_forward_pre_hook((_, x) => { Start(); return x; });
                one.register_forward_hook((_, _, y) => { Stop(); return y; });
            }
            else if (block is nn.Module<Tensor, Tensor, Tensor, Tensor> three)
            {
                three.register_forward_pre_hook((_, x, c, s) => { Start(); return (x, c, s); });
                three.register_forward_hook((_, _, _, _, y) => { Stop(); return y; });
            }
            foreach (var linear in block.modules().OfType<Linear>())
            {
                _kept[linear] = [];
                linear.register_forward_pre_hook((m, x) =>
                {
                    _linearStart = _clock.Elapsed.TotalSeconds;
                    return Skip ? x.narrow(0, 0, 0) : x;
                });
                linear.register_forward_hook((m, x, y) =>
                {
                    var l = (Linear)m;
                    int k = _calls[l] = _calls.GetValueOrDefault(l) + 1;
                    _linearSum += _clock.Elapsed.TotalSeconds - _linearStart;
                    var kept = _kept[l];
                    if (Skip) return kept[k - 1];
                    if (kept.Count < k) kept.Add(y.detach().clone().requires_grad_(true).DetachFromDisposeScope());
                    if (!_bytesCounted) OutputBytes += y.NumberOfElements * y.ElementSize;
                    return y;
                });
            }
        }
    }

    private void Start()
    {
        _blockStart = _clock.Elapsed.TotalSeconds;
        _linearSum = 0;
        foreach (var key in _calls.Keys.ToList()) _calls[key] = 0;
    }

    private void Stop()
    {
        double t = _clock.Elapsed.TotalSeconds - _blockStart;
        if (!Record) return;
        if (Skip) Skipped.Add(t);
        else { Full.Add(t); Linear.Add(_linearSum); }
    }

    public void EndForward() => _bytesCounted = true;
}
