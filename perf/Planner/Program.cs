using AutoCkpt.Formats.Profiles;
using AutoCkpt.Perf.Planner;

// dotnet run -c Release --project perf/Planner -- profile STAGES SEED OUT
// dotnet run -c Release --project perf/Planner -- speed [STAGES...] [--solvers auto,mip,cpsat,exact] [--limit S]
switch (args.FirstOrDefault())
{
    case "profile" when args.Length == 4:
        ProfileFile.Write(args[3], SyntheticProfiles.Gpt(int.Parse(args[1]), int.Parse(args[2])),
            $"Synthetic GPT-shaped profile ({args[1]} stages, seed {args[2]}) from perf/Planner,\nscaled from shared/notes/reference-numbers.md. Not a measurement.");
        return 0;
    case "lp":
        return LpProbe.Run(args[1..]);
    case "speed":
        return SpeedBench.Run(args[1..]);
    default:
        Console.Error.WriteLine("usage: profile STAGES SEED OUT | speed [STAGES...] [--solvers auto,mip,cpsat,exact] [--limit SECONDS] [--caps 0.1,0.5,0.9]");
        return 2;
}
