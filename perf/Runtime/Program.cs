// Measures one training step of a small activation-heavy stack on the CPU: the plain model, the same model under a
// plan that keeps every stage, and under a plan that recomputes every stage. Same setting as the runtime's memory
// tests (one step per dispose scope, CpuMemoryProbe). Usage:
//   dotnet run -c Release --project perf/Runtime -- [stages] [width] [rows] [rounds] [threads]
using System.Diagnostics;
using System.Globalization;
using AutoCkpt;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Memory;
using TorchSharp;
using static TorchSharp.torch;

int stages = Arg(0, 8), rounds = Arg(3, 5);
if (args.Length > 4) torch.set_num_threads(Arg(4, 1));
long width = Arg(1, 256), rows = Arg(2, 1024);
var probe = new CpuMemoryProbe();
torch.manual_seed(3);
var input = torch.randn(rows, width).DetachFromDisposeScope();
var target = torch.randn(rows, width).DetachFromDisposeScope();
var variants = new (string Name, SegmentStrategy? Strategy)[] { ("plain", null), ("keep every stage", SegmentStrategy.Keep), ("recompute every stage", SegmentStrategy.Recompute) };
var runs = variants.Select(v => new Run(v.Name, Build(v.Strategy))).ToArray();

foreach (var run in runs) Step(run, record: false); // warm-up
for (int round = 0; round < rounds; round++)        // interleaved, so machine load drifts evenly over the variants
    foreach (var run in runs) Step(run, record: true);

Console.WriteLine($"{stages} stages of Linear+GELU+Linear+GELU, width {width}, {rows} rows, float32; one activation {Mib(rows * width * 4)}; " +
                  $"{Environment.ProcessorCount} CPUs, {torch.get_num_threads()} torch threads; median of {rounds} interleaved steps");
Console.WriteLine("| variant | forward keeps | step peak (above step start) | step time |");
Console.WriteLine("|---|---|---|---|");
foreach (var run in runs)
    Console.WriteLine($"| {run.Name} | {Mib(MedianBytes(run.Retained))} | {Mib(MedianBytes(run.Peaks))} | {Median(run.Seconds) * 1000:F0} ms |");

nn.Module<Tensor, Tensor> Build(SegmentStrategy? strategy)
{
    torch.manual_seed(1);
    var model = nn.Sequential(Enumerable.Range(0, stages).Select(i =>
        ($"{i}", (nn.Module<Tensor, Tensor>)nn.Sequential(nn.Linear(width, width), nn.GELU(), nn.Linear(width, width), nn.GELU()))));
    if (strategy is not { } s) return model;
    var plan = new Plan
    {
        Target = "probe", Model = new ModelInfo(ModelStages.Fingerprint(model), stages), Device = new DeviceInfo("cpu", "probe"),
        BatchSize = (int)rows, MemoryCapBytes = long.MaxValue,
        Segments = Enumerable.Range(0, stages).Select(i => new Segment(i, i, s)).ToList(),
    };
    return Checkpointing.Apply(model, plan);
}

void Step(Run run, bool record)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    using var scope = torch.NewDisposeScope();
    run.Optimizer.zero_grad();
    probe.ResetPeak();
    long start = probe.LiveBytes();
    var clock = Stopwatch.StartNew();
    var output = run.Model.call(input);
    long retained = probe.LiveBytes() - start;
    nn.functional.mse_loss(output, target).backward();
    run.Optimizer.step();
    double seconds = clock.Elapsed.TotalSeconds;
    if (!record) return;
    run.Retained.Add(retained);
    run.Peaks.Add(probe.PeakBytes() - start);
    run.Seconds.Add(seconds);
}

int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
static double Median(IEnumerable<double> xs) { var s = xs.Order().ToArray(); return s[s.Length / 2]; }
static long MedianBytes(IEnumerable<long> xs) { var s = xs.Order().ToArray(); return s[s.Length / 2]; }
static string Mib(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) + " MiB";

sealed class Run(string name, nn.Module<Tensor, Tensor> model)
{
    public string Name { get; } = name;
    public nn.Module<Tensor, Tensor> Model { get; } = model;
    public torch.optim.Optimizer Optimizer { get; } = torch.optim.SGD(model.parameters(), 0.01);
    public List<long> Retained { get; } = [];
    public List<long> Peaks { get; } = [];
    public List<double> Seconds { get; } = [];
}
