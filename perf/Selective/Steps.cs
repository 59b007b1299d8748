using System.Diagnostics;
using AutoCkpt;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Memory;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Perf.Selective;

/// <summary>Training steps of a model plain, with every unit recomputed, and with every unit save-matmuls.</summary>
internal static class Steps
{
    public static void Run((ICheckpointTarget Target, string BlockType)[] targets, int rounds)
    {
        var probe = new CpuMemoryProbe();
        Console.WriteLine($"{Environment.ProcessorCount} CPUs, {torch.get_num_threads()} torch threads; median of {rounds} interleaved training steps");
        Console.WriteLine("| model | variant | kept after forward | step peak | step time | recompute cost (step − plain) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (target, _) in targets)
        {
            var variants = new[] { ("plain", (bool?)null), ("every unit recomputed", false), ("every unit save-matmuls", true) }
                .Select(v => new Variant(v.Item1, Build(target, v.Item2), target)).ToArray();
            var (input, labels) = target.CreateBatch(CPU, target.DefaultBatchSize);
            foreach (var v in variants) v.Step(probe, input, labels, record: false);
            for (int r = 0; r < rounds; r++)
                foreach (var v in variants) v.Step(probe, input, labels, record: true);
            double plain = Median(variants[0].Seconds);
            foreach (var v in variants)
                Console.WriteLine($"| {target.Name} | {v.Name} | {Mib(Median(v.Kept))} | {Mib(Median(v.Peaks))} | {Median(v.Seconds) * 1e3:F1} ms | {(Median(v.Seconds) - plain) * 1e3:+0.0;-0.0} ms |");
            // Paired per round: the save-matmuls recompute's cost over the full recompute's.
            var ratio = Enumerable.Range(0, rounds).Select(r => (variants[2].Seconds[r] - variants[0].Seconds[r]) / (variants[1].Seconds[r] - variants[0].Seconds[r])).ToList();
            Console.WriteLine($"| {target.Name} | save-matmuls recompute / full recompute (per round, median) | | | | {Median(ratio):F2} |");
        }
    }

    private static nn.Module<Tensor, Tensor> Build(ICheckpointTarget target, bool? saveMatmuls)
    {
        var model = target.CreateModel(CPU);
        if (saveMatmuls is not { } save) return model;
        var units = Checkpointing.Units(model);
        var plan = new Plan
        {
            Target = target.Name, Model = new ModelInfo(units.Fingerprint, units.Count), Device = new DeviceInfo("cpu", "probe"),
            BatchSize = target.DefaultBatchSize, MemoryCapBytes = long.MaxValue,
            Segments = [.. Enumerable.Range(0, units.Count).Select(i => new Segment(i, i, save ? SegmentStrategy.SaveMatmuls : SegmentStrategy.Recompute))],
            UnitPaths = units.Paths,
        };
        return Checkpointing.Apply(model, plan);
    }

    private static double Median(IEnumerable<double> xs) { var s = xs.Order().ToArray(); return s[s.Length / 2]; }
    private static double Median(IEnumerable<long> xs) => Median(xs.Select(x => (double)x));
    private static string Mib(double bytes) => $"{bytes / 1048576.0:F1} MiB";

    private sealed class Variant(string name, nn.Module<Tensor, Tensor> model, ICheckpointTarget target)
    {
        private readonly optim.Optimizer _optimizer = target.CreateOptimizer(model) ?? optim.SGD(model.parameters(), 0.01);
        public string Name { get; } = name;
        public List<double> Seconds { get; } = [];
        public List<long> Kept { get; } = [];
        public List<long> Peaks { get; } = [];

        public void Step(IMemoryProbe probe, Tensor input, Tensor labels, bool record)
        {
            model.train();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var scope = torch.NewDisposeScope();
            _optimizer.zero_grad();
            probe.ResetPeak();
            long start = probe.LiveBytes();
            var clock = Stopwatch.StartNew();
            var loss = target.Loss(model.call(input), labels);
            long kept = probe.LiveBytes() - start;
            loss.backward();
            _optimizer.step();
            double seconds = clock.Elapsed.TotalSeconds;
            if (!record) return;
            Seconds.Add(seconds);
            Kept.Add(kept);
            Peaks.Add(probe.PeakBytes() - start);
        }
    }
}
