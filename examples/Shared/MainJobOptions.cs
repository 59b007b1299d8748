using System.Globalization;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Planner;

namespace AutoCkpt.Examples;

/// <summary>
/// The main job's command line: <c>[--target NAME] [--device cpu|cuda] [--cap SIZE | --every-stage-cap N%] [--midpoint none|tidy] [--batch N] [--solver NAME] [--steps N] [--train-steps N] [--repeats N] [--out DIR]</c>.
/// Without <c>--cap</c>, the cap is halfway between the smallest predicted peak any plan reaches and no checkpointing
/// (<c>--midpoint none</c>, the default) or tidy (<c>--midpoint tidy</c>, i.e. <c>range:50%</c>). <c>--cap</c> takes
/// what <c>autockpt plan --memory-cap</c> takes.
/// </summary>
public sealed record MainJobOptions
{
    /// <summary>The target's name, or null for the example's default (its CPU-sized target).</summary>
    public string? Target { get; init; }
    /// <summary>"cpu" or "cuda".</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>The memory cap, or null for the midpoint cap.</summary>
    public MemoryCap? Cap { get; init; }
    /// <summary>
    /// <c>--every-stage-cap N%</c>: the cap as a share of the every-stage plan's predicted peak (below 100%, only
    /// multi-level recompute plans fit); null when not given.
    /// </summary>
    public double? EveryStageShare { get; init; }
    /// <summary>Without a cap: the midpoint between the smallest reachable peak (every_stage's on most models) and "none"'s (the plain model) or "tidy"'s (<c>range:50%</c>).</summary>
    public string Midpoint { get; init; } = "none";
    /// <summary>The batch size, or null for the target's default.</summary>
    public int? BatchSize { get; init; }
    /// <summary>The planner's solver (as <c>autockpt plan --solver</c>), or null for the planner's default.</summary>
    public PlannerSolver? Solver { get; init; }
    /// <summary>Timed bench steps per strategy.</summary>
    public int BenchSteps { get; init; } = 10;
    /// <summary>Training steps with the plan applied, before the comparison.</summary>
    public int TrainSteps { get; init; } = 20;
    /// <summary>Measured repeats per stage when profiling.</summary>
    public int ProfileRepeats { get; init; } = 5;
    /// <summary>Where the profile, plan and bench reports go.</summary>
    public required string OutputFolder { get; init; }

    /// <summary>Parses <paramref name="args"/>; throws <see cref="AckptException"/> (ACKPT080) on anything unknown.</summary>
    public static MainJobOptions Parse(IReadOnlyList<string> args, string defaultFolder)
    {
        var o = new MainJobOptions { OutputFolder = defaultFolder };
        for (int i = 0; i < args.Count; i += 2)
        {
            string value = i + 1 < args.Count ? args[i + 1] : throw Bad($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--target" => o with { Target = value },
                "--device" when value is "cpu" or "cuda" => o with { Device = value },
                "--cap" => o with { Cap = MemoryCap.Parse(value) },
                "--every-stage-cap" when value.EndsWith('%') && double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double share) && share > 0 && share <= 1000
                    => o with { EveryStageShare = share / 100 },
                "--midpoint" when value is "none" or "tidy" => o with { Midpoint = value },
                "--batch" => o with { BatchSize = Positive(args[i], value) },
                "--solver" when Enum.TryParse(value, ignoreCase: true, out PlannerSolver solver) && !int.TryParse(value, out _) => o with { Solver = solver },
                "--steps" => o with { BenchSteps = Positive(args[i], value) },
                "--train-steps" => o with { TrainSteps = Positive(args[i], value) },
                "--repeats" => o with { ProfileRepeats = Positive(args[i], value) },
                "--out" => o with { OutputFolder = value },
                _ => throw Bad($"unknown option '{args[i]} {value}'"),
            };
        }
        return o;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw Bad($"{name} must be a positive whole number, not '{value}'");

    private static AckptException Bad(string what) => new(ErrorCodes.BadArgument,
        $"{what}. Options: [--target NAME] [--device cpu|cuda] [--cap SIZE | --every-stage-cap N%] [--midpoint none|tidy] [--batch N] [--solver NAME] [--steps N] [--train-steps N] [--repeats N] [--out DIR]; or 'train [--steps N]'.");
}
