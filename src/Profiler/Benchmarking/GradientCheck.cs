using TorchSharp;

namespace AutoCkpt.Profiler.Benchmarking;

/// <summary>
/// Runs one step of each strategy on the same batch with the same seed, before any optimizer step, and records
/// each strategy's largest relative gradient difference against the first strategy ("none").
/// </summary>
internal static class GradientCheck
{
    public static void Run(TrainingStep step, IReadOnlyList<StrategyRun> runs, (torch.Tensor, torch.Tensor) batch, long seed, IProgress<BenchStep>? progress)
    {
        var snapshots = new List<GradientSnapshot>(runs.Count);
        try
        {
            for (int i = 0; i < runs.Count; i++)
            {
                progress?.Report(new BenchStep("gradients", i, runs.Count, runs[i].Strategy.Name));
                torch.manual_seed(seed);
                if (torch.cuda.is_available()) torch.cuda.manual_seed_all(seed);
                runs[i].Activate();
                step.Gradients(runs[i].Module, batch);
                snapshots.Add(GradientSnapshot.Take(runs[i].Module));
            }
            for (int i = 0; i < runs.Count; i++)
                runs[i].MaxGradRelDiff = snapshots[i].MaxRelativeDifference(snapshots[0]);
        }
        finally
        {
            // Released before the timed steps, so that no copy counts in their memory.
            foreach (var s in snapshots) s.Dispose();
        }
    }
}
