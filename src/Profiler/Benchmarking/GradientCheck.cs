using TorchSharp;

namespace AutoCkpt.Profiler.Benchmarking;

/// <summary>
/// Runs one step of each strategy on the same batch with the same seed, before any optimizer step, and records
/// each strategy's largest relative gradient difference against the first strategy ("none"). The first strategy runs
/// once more at the end and records its difference from its own first step: a model or device whose plain gradients
/// are not reproducible (a non-deterministic or faulty kernel) shows there, rather than as a strategy's fault.
/// </summary>
internal static class GradientCheck
{
    public static void Run(TrainingStep step, IReadOnlyList<StrategyRun> runs, (torch.Tensor, torch.Tensor) batch, long seed, IProgress<BenchStep>? progress)
    {
        var snapshots = new List<GradientSnapshot>(runs.Count);
        try
        {
            for (int i = 0; i <= runs.Count; i++)
            {
                var run = runs[i % runs.Count];
                progress?.Report(new BenchStep("gradients", i, runs.Count + 1, i < runs.Count ? run.Strategy.Name : run.Strategy.Name + " (again)"));
                torch.manual_seed(seed);
                if (torch.cuda.is_available()) torch.cuda.manual_seed_all(seed);
                run.Activate();
                step.Gradients(run.Module, batch);
                snapshots.Add(GradientSnapshot.Take(run.Module));
            }
            for (int i = 1; i < runs.Count; i++)
                runs[i].MaxGradRelDiff = snapshots[i].MaxRelativeDifference(snapshots[0]);
            runs[0].MaxGradRelDiff = snapshots[runs.Count].MaxRelativeDifference(snapshots[0]);
        }
        finally
        {
            // Released before the timed steps, so that no copy counts in their memory.
            foreach (var s in snapshots) s.Dispose();
        }
    }
}
