using System.Globalization;
using AutoCkpt.Cli.Common;
using AutoCkpt.Cli.Hosting;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner;

namespace AutoCkpt.Cli.Commands;

/// <summary>How <c>autockpt plan --verify</c> runs the plan: the app, as <c>bench</c> takes it.</summary>
/// <param name="Project">The app: a project file, its folder or a built .dll.</param>
/// <param name="Target">The ICheckpointTarget, or null for the app's only one.</param>
/// <param name="Device">The device, or null for the profile's.</param>
/// <param name="Steps">Timed steps per round.</param>
/// <param name="Configuration">The configuration to build in.</param>
/// <param name="NoBuild">Use the existing output.</param>
internal sealed record VerifyOptions(string Project, string? Target, string? Device, int Steps, string Configuration, bool NoBuild);

/// <summary>
/// <c>autockpt plan --verify</c>: runs real training steps with the plan on the device, the way <c>bench</c> does (the
/// profiler's host inside the app), and when the measured peak is over the cap, plans again with the budget tightened
/// by the measured miss, until a plan measures at or under its cap or <see cref="MaxRounds"/> plans have been
/// measured (then ACKPT083). docs/planner.md, "Verified plans".
/// </summary>
internal static class PlanVerifier
{
    /// <summary>Plans measured at most: the first and up to three corrected ones.</summary>
    public const int MaxRounds = 4;

    /// <summary>Timed steps per round by default: the peak is the largest over them, and a step's peak hardly varies.</summary>
    public const int DefaultSteps = 3;

    /// <summary>
    /// Measures <paramref name="first"/>'s plan and corrects it as needed. Returns the plan to write, with
    /// <see cref="Plan.Verified"/> and <see cref="Plan.CorrectionBytes"/> set. Throws <see cref="AckptException"/>:
    /// ACKPT083 when no plan measured under its cap in <see cref="MaxRounds"/> rounds or the correction leaves no plan
    /// that fits; the host's own codes when the app cannot run the plan.
    /// </summary>
    public static PlanResult Run(PlanRequest request, PlanResult first, VerifyOptions o, Action<string> log)
    {
        var app = ProjectBuilder.Resolve(o.Project, o.Configuration, o.NoBuild, log);
        string device = o.Device ?? first.Plan.Device.Type;
        var result = first;
        long cap = first.CapBytes;
        var rounds = new List<string>();
        for (int round = 1; ; round++)
        {
            var plan = result.Plan;
            long predicted = plan.Predicted!.PeakBytes;
            long measured = MeasurePeak(app, plan, o, device, log);
            rounds.Add(F($"round {round}: predicted {MemoryCap.Format(predicted)}, measured {MemoryCap.Format(measured)} (budget {MemoryCap.Format(plan.BudgetBytes)})"));
            if (measured <= cap)
            {
                log(F($"verified: the plan measured {MemoryCap.Format(measured)} against its cap {MemoryCap.Format(cap)} (predicted {MemoryCap.Format(predicted)}) in round {round}") +
                    (plan.CorrectionBytes > 0 ? F($", after tightening its budget by {MemoryCap.Format(plan.CorrectionBytes)}.") : "."));
                return result with { Plan = plan with { Verified = new PlanVerification(measured, round, o.Steps, device) } };
            }
            // The model missed this plan by (measured − predicted): plan again so that the prediction plus that miss fits
            // the cap less its headroom. Since predicted + miss > cap, the new budget is under this plan's prediction,
            // so the next plan differs. The correction never shrinks between rounds.
            long miss = measured - predicted;
            long correction = Math.Max(plan.CorrectionBytes, miss);
            log(F($"verify round {round}: the plan measured {MemoryCap.Format(measured)}, over its cap {MemoryCap.Format(cap)} by {MemoryCap.Format(measured - cap)} ") +
                F($"(predicted {MemoryCap.Format(predicted)}, missed by {MemoryCap.Format(miss)})") +
                (round < MaxRounds ? F($"; planning again with the budget tightened by {MemoryCap.Format(correction)}.") : "."));
            if (round == MaxRounds)
                throw Failed(request, rounds, "the last plan still measured over its cap");
            try
            {
                result = CheckpointPlanner.Plan(request with { CorrectionBytes = correction });
            }
            catch (AckptException e) when (e.Code is ErrorCodes.InfeasibleCap or ErrorCodes.BadCap)
            {
                throw Failed(request, rounds, F($"with the budget tightened by the measured miss {MemoryCap.Format(correction)}, no plan fits ({e.Message})"));
            }
        }
    }

    /// <summary>Runs the plan alone in the app's host, as <c>bench</c> does, and returns its largest step peak.</summary>
    private static long MeasurePeak(AppAssembly app, Plan plan, VerifyOptions o, string device, Action<string> log)
    {
        string stem = Path.Combine(Path.GetTempPath(), $"autockpt-verify.{Environment.ProcessId}.{Guid.NewGuid():N}");
        string planCopy = stem + ".plan.yaml", measured = stem + ".json";
        try
        {
            PlanFile.Write(planCopy, plan);
            var strategy = new BenchStrategy("plan", plan.Segments) { Tidy = [.. Enumerable.Range(0, plan.Model.Stages).Select(plan.IsTidy)] };
            var args = new List<string>
            {
                "--assembly", app.AssemblyPath, "--device", device, "--plan", planCopy,
                "--strategies", BenchMeasurementFile.FormatStrategies([strategy]), "--steps", o.Steps.ToString(CultureInfo.InvariantCulture), "--out", measured,
            };
            if (o.Target is not null) args.AddRange(["--target", o.Target]);
            var result = HostLauncher.Run(app, "bench", args, device, _ => { }, log, Consoles.ErrorLine);
            return BenchMeasurementFile.Read(result?.File ?? measured).Strategies.Single().PeakBytes;
        }
        finally
        {
            foreach (var temp in new[] { planCopy, measured })
                if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static AckptException Failed(PlanRequest request, List<string> rounds, string why) =>
        new(ErrorCodes.VerifyFailed,
            F($"plan --verify: no plan measured at or under its cap after {rounds.Count} round(s) ({MaxRounds} at most): {why}. ") + string.Join("; ", rounds) + ". " +
            "The cost model misses this model by more than the headroom: raise the cap or --headroom, profile again, and see docs/cost-model.md. No plan was written.",
            request.ProfileFile);

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
