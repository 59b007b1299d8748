using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using TorchSharp;

namespace AutoCkpt.Examples;

/// <summary>
/// An example's entry point. <c>train [--steps N] [--target NAME] [--device cpu|cuda]</c> is the training app as a user
/// writes it: the plan that <c>dotnet build</c> keeps current is applied in one line. Anything else runs the
/// <see cref="MainJob"/>.
/// </summary>
public static class ExampleProgram
{
    /// <summary>Runs the example; <paramref name="targets"/> lists its targets, the first being the default.</summary>
    public static int Main(string[] args, IReadOnlyList<ICheckpointTarget> targets)
    {
        ProcessSetup.BeforeTorch();
        try
        {
            if (args is ["train", .. var rest])
            {
                var o = MainJobOptions.Parse(rest.Select(a => a == "--steps" ? "--train-steps" : a).ToList(), ".");
                var target = Pick(targets, o.Target);
                // The plan `dotnet build` wrote next to the app (AutoCkptProfile + AutoCkptMemoryCap in the .csproj).
                string plan = Path.Combine(AppContext.BaseDirectory, PlanFile.DefaultFileName);
                Console.WriteLine($"training {target.Name} with {plan}");
                MainJob.TrainWithPlan(target, o.Device == "cuda" ? torch.CUDA : torch.CPU, plan, o.BatchSize ?? target.DefaultBatchSize, o.TrainSteps, Console.WriteLine);
                return 0;
            }
            var options = MainJobOptions.Parse(args, "");
            var chosen = Pick(targets, options.Target);
            if (options.OutputFolder.Length == 0)
                options = options with { OutputFolder = Path.Combine("artifacts", "examples", chosen.Name) };
            return MainJob.Run(chosen, options);
        }
        catch (AckptException e)
        {
            Console.Error.WriteLine(e);
            return 1;
        }
    }

    private static ICheckpointTarget Pick(IReadOnlyList<ICheckpointTarget> targets, string? name) =>
        name is null ? targets[0] : targets.FirstOrDefault(t => t.Name == name)
            ?? throw new AckptException(ErrorCodes.UnknownTarget, $"no target '{name}': use {string.Join(", ", targets.Select(t => t.Name))}.");
}
