using System.Diagnostics;
using System.Globalization;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner;
using AutoCkpt.Planner.CostModel;

namespace AutoCkpt.Perf.Planner;

/// <summary>
/// Solve time of each solver on synthetic GPT-shaped chains, at caps placed between the every-stage peak (0) and
/// the no-checkpointing peak (1). Prints wall and process CPU seconds, status and gap: on a shared machine the
/// CPU figure is the one to compare.
/// </summary>
internal static class SpeedBench
{
    public static int Run(string[] args)
    {
        var stages = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(int.Parse).DefaultIfEmpty(100).ToList();
        string[] solvers = Opt(args, "--solvers")?.Split(',') ?? ["auto", "mip", "exact"];
        double limit = double.Parse(Opt(args, "--limit") ?? "10", CultureInfo.InvariantCulture);
        double[] caps = (Opt(args, "--caps") ?? "0.1,0.3,0.5,0.7,0.9").Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        string chain = Opt(args, "--chain") ?? "gpt";
        int[] seeds = (Opt(args, "--seeds") ?? "1").Split(',').Select(int.Parse).ToArray();
        Console.WriteLine($"# {Environment.ProcessorCount} cores, {Environment.OSVersion}, load {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("chain\tseed\tstages\tcap\tsolver\tbackend\tstatus\tgap\twall_s\tcpu_s\trecompute_s\tbound_s\tbest_uniform_recompute_s");
        foreach (int n in stages)
        foreach (int seed in seeds)
        {
            var profile = chain == "random" ? SyntheticProfiles.Random(n, seed) : SyntheticProfiles.Gpt(n, seed);
            var model = new StepCostModel(profile);
            long every = model.PeakBytes(Baselines.EveryStage(n)), none = model.PeakBytes(Baselines.None(n));
            foreach (double c in caps)
            {
                long cap = every + (long)((none - every) * c);
                var uniform = Baselines.BestUniform(model, cap);
                foreach (var s in solvers)
                {
                    var kind = s switch { "cpsat" => PlannerSolver.CpSat, "exact" => PlannerSolver.Exact, "mip" => PlannerSolver.Mip, _ => PlannerSolver.Auto };
                    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                    var wall = Stopwatch.StartNew();
                    string status, gap, rec, backend, bound = "";
                    try
                    {
                        var r = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = new MemoryCap(cap, null), Solver = kind, TimeLimitSeconds = limit });
                        status = r.Plan.Solver!.Status;
                        backend = r.Plan.Solver.Backend;
                        gap = r.Plan.Solver.Gap.ToString("P3", CultureInfo.InvariantCulture);
                        rec = r.Plan.Predicted!.RecomputeSeconds.ToString("F4", CultureInfo.InvariantCulture);
                        bound = r.Plan.Solver.LowerBoundSeconds?.ToString("F4", CultureInfo.InvariantCulture) ?? "-";
                    }
                    catch (AckptException e)
                    {
                        (status, gap, rec, backend) = (e.Code, "", "", "");
                    }
                    double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
                    Console.WriteLine(string.Join('\t', chain, seed, n, c.ToString("0.##", CultureInfo.InvariantCulture), s, backend, status, gap,
                        wall.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture), cpu.ToString("F2", CultureInfo.InvariantCulture), rec, bound,
                        uniform?.Prediction.RecomputeSeconds.ToString("F4", CultureInfo.InvariantCulture) ?? "-"));
                }
            }
        }
        return 0;
    }

    private static string? Opt(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
