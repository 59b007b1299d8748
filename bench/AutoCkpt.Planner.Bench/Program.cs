using System.Diagnostics;
using AutoCkpt.Formats;
using AutoCkpt.Planner;
using AutoCkpt.Planner.Bench;
using AutoCkpt.Planner.Solvers;

double Cpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
foreach (int n in new[] { 100 })
{
    var profile = SyntheticProfiles.Gpt(n, 1);
    var model = new StepCostModel(profile);
    long every = model.PeakBytes(Baselines.EveryStage(n)), none = model.PeakBytes(Baselines.None(n));
    foreach (double frac in new[] { 0.5 })
    {
        long cap = every + (long)((none - every) * frac);
        var sw = Stopwatch.StartNew(); double c0 = Cpu();
        var r = new DynamicProgramSolver(model, PlanRequest.DefaultMaxSegment(n)).Solve(cap, TimeSpan.FromSeconds(60));
        Console.WriteLine($"n={n} {frac:P0} DP {r.Status} {(r.Segments is null ? "" : model.Predict(r.Segments).RecomputeSeconds.ToString("F4"))}s recompute {sw.Elapsed.TotalSeconds:F2}s wall {Cpu() - c0:F2}s cpu");
    }
}
