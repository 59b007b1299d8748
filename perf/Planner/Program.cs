using AutoCkpt.Formats.Profiles;
using AutoCkpt.Perf.Planner;

// dotnet run -c Release --project perf/Planner -- profile STAGES SEED OUT
// dotnet run -c Release --project perf/Planner -- profile-random STAGES SEED OUT   (prints the caps at 30/50/80%)
// dotnet run -c Release --project perf/Planner -- read PROFILE   (read time: the fast reader against the full YAML parser)
// dotnet run -c Release --project perf/Planner -- phases STAGES [--cap 0.5] [--grid]
// dotnet run -c Release --project perf/Planner -- speed [STAGES...] [--solvers auto,mip,cpsat,exact] [--limit S]
// dotnet run -c Release --project perf/Planner -- optimum STAGES [--chain random|gpt] [--seed 1] [--cap 0.3] [--plan-limit 10] [--scip 600]
// dotnet run -c Release --project perf/Planner -- cost-curve PROFILE OUT.svg [POINTS] [AT]   (multi-level below every_stage)
switch (args.FirstOrDefault())
{
    case "profile" when args.Length == 4:
        ProfileFile.Write(args[3], SyntheticProfiles.Gpt(int.Parse(args[1]), int.Parse(args[2])),
            $"Synthetic GPT-shaped profile ({args[1]} stages, seed {args[2]}) from perf/Planner,\nscaled from shared/notes/reference-numbers.md. Not a measurement.");
        return 0;
    case "profile-random" when args.Length == 4:
    {
        // Writes a random heterogeneous profile and prints the caps at 30%, 50% and 80% of the way from the every-stage
        // peak to the no-checkpointing peak, in bytes (tidy cost model, as the planner scores).
        var profile = SyntheticProfiles.Random(int.Parse(args[1]), int.Parse(args[2]));
        ProfileFile.Write(args[3], profile, $"Random heterogeneous profile ({args[1]} stages, seed {args[2]}) from perf/Planner. Not a measurement.");
        var model = AutoCkpt.Planner.CostModel.TidyCosts.Model(profile, AutoCkpt.Formats.Options.NoTidyPatterns.Empty);
        int n = profile.Stages.Count;
        long every = model.PeakBytes(AutoCkpt.Planner.Baselines.EveryStage(n)), none = model.PeakBytes(AutoCkpt.Planner.Baselines.None(n));
        Console.WriteLine(string.Join(' ', new[] { 0.3, 0.5, 0.8 }.Select(c => every + (long)((none - every) * c))));
        return 0;
    }
    case "read" when args.Length >= 2:
    {
        // Reads a profile 5 times each way in one process, alternating: as written (the fast reader) and with CRLF line
        // ends (outside its subset: the full YAML parser). The first of each includes the JIT.
        string text = File.ReadAllText(args[1]), crlf = Path.Combine(Path.GetTempPath(), $"autockpt-read-{Environment.ProcessId}.yaml");
        File.WriteAllText(crlf, text.Replace("\n", "\r\n"));
        try
        {
            for (int i = 0; i < 5; i++)
                foreach (var (how, file) in new[] { ("fast", args[1]), ("full", crlf) })
                {
                    var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                    var sw = System.Diagnostics.Stopwatch.StartNew();
                    var read = ProfileFile.Read(file);
                    Console.WriteLine($"{how} {i + 1}: {sw.Elapsed.TotalSeconds:F3} s wall, {(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F3} s CPU ({read.Stages.Count} stages, {text.Length / 1e6:F1} MB)");
                }
        }
        finally
        {
            File.Delete(crlf);
        }
        return 0;
    }
    case "lp":
        return LpProbe.Run(args[1..]);
    case "phases":
        return PhaseProbe.Run(args[1..]);
    case "speed":
        return SpeedBench.Run(args[1..]);
    case "optimum" when args.Length >= 2:
        return OptimumProbe.Run(args[1..]);
    case "cost-curve" when args.Length >= 3:
        return CostCurve.Run(args[1..]);
    default:
        Console.Error.WriteLine("usage: profile STAGES SEED OUT | read PROFILE | profile-random STAGES SEED OUT | phases STAGES [--cap F] [--grid] | lp STAGES... | cost-curve PROFILE OUT.svg [POINTS] [AT] | optimum STAGES [--chain random|gpt] [--seed S] [--cap F] [--plan-limit S] [--scip S] | speed [STAGES...] [--chain gpt|random] [--seeds 1,2,3] [--solvers auto,mip,cpsat,exact] [--limit SECONDS] [--caps 0.1,0.5,0.9]");
        return 2;
}
