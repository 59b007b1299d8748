using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner;
using AutoCkpt.Planner.CostModel;

namespace AutoCkpt.Perf.Accuracy;

/// <summary>What the suite runs, and where.</summary>
public sealed record SuiteOptions
{
    /// <summary>The built tool, <c>src/Cli/bin/CFG/net10.0/autockpt.dll</c>.</summary>
    public required string CliDll { get; init; }
    /// <summary>The built AccuracyTargets.dll.</summary>
    public required string AppDll { get; init; }
    /// <summary>Where profiles, plans, bench files and logs go, one folder per model.</summary>
    public required string OutDir { get; init; }
    /// <summary>The models, in order.</summary>
    public required IReadOnlyList<SuiteModel> Models { get; init; }
    /// <summary>Caps as fractions of the way from the every_stage peak to the no-recompute (tidy) peak.</summary>
    public IReadOnlyList<double> CapFractions { get; init; } = [0.25, 0.5, 0.75];
    /// <summary>Timed bench steps per strategy.</summary>
    public int Steps { get; init; } = 5;
    /// <summary>Profiler repeats per stage.</summary>
    public int Repeats { get; init; } = 5;
    /// <summary>Run each model at its <see cref="SuiteModel.TinyBatch"/> instead of its target's default batch.</summary>
    public bool Tiny { get; init; }
    /// <summary>
    /// Plan with <c>--verify</c> (real steps with the plan in the app; replanned while it measures over its cap) and
    /// count the plans it had to correct (issue 15).
    /// </summary>
    public bool Verify { get; init; }
    /// <summary>Progress lines.</summary>
    public Action<string> Log { get; init; } = _ => { };
    /// <summary>Limit for one tool run.</summary>
    public TimeSpan ToolLimit { get; init; } = TimeSpan.FromMinutes(20);
}

/// <summary>
/// The accuracy suite (issue 15): every model is profiled, then at each cap planned and benched through the built tool,
/// as a user would run it; every strategy of each bench becomes a <see cref="SuiteRow"/>.
/// </summary>
public static class AccuracySuite
{
    /// <summary>Runs the suite; a model whose profile fails, or a cap no plan fits, is reported in <see cref="SuiteResult.Failures"/>.</summary>
    public static SuiteResult Run(SuiteOptions o)
    {
        var rows = new List<SuiteRow>();
        var failures = new List<string>();
        var verifications = new List<SuiteVerification>();
        foreach (var model in o.Models)
        {
            string dir = Path.Combine(o.OutDir, model.Target);
            Directory.CreateDirectory(dir);
            string profilePath = Path.Combine(dir, "profile.yaml");
            var batch = o.Tiny ? ["--batch-size", Num(model.TinyBatch)] : Array.Empty<string>();
            o.Log($"{model.Target}: profile");
            var profiled = Tool(o, Path.Combine(dir, "profile.log"),
                ["profile", "--project", o.AppDll, "--target", model.Target, "--repeats", Num(o.Repeats), "--out", profilePath, .. batch]);
            if (profiled != 0)
            {
                failures.Add($"{model.Target}: profile exited {profiled} ({Path.Combine(dir, "profile.log")})");
                continue;
            }
            var profile = ProfileFile.Read(profilePath);
            foreach (double fraction in o.CapFractions)
            {
                long cap = Cap(profile, fraction);
                string tag = Num((int)Math.Round(fraction * 100));
                string plan = Path.Combine(dir, $"plan-{tag}.yaml"), json = Path.Combine(dir, $"bench-{tag}.json");
                o.Log($"{model.Target}: plan and bench at {tag}% ({cap} bytes)");
                var verify = o.Verify
                    ? ["--verify", "--project", o.AppDll, "--target", model.Target, "--no-build"]
                    : Array.Empty<string>();
                int planned = Tool(o, Path.Combine(dir, $"plan-{tag}.log"),
                    ["plan", "--profile", profilePath, "--memory-cap", cap.ToString(CultureInfo.InvariantCulture), "--out", plan, .. verify]);
                if (planned != 0)
                {
                    failures.Add($"{model.Target} at {tag}%: plan exited {planned} ({Path.Combine(dir, $"plan-{tag}.log")})");
                    continue;
                }
                if (o.Verify && PlanFile.Read(plan) is { Verified: { } v } written)
                    verifications.Add(new SuiteVerification(model.Target, fraction, cap, v.Rounds, written.CorrectionBytes, v.MeasuredPeakBytes));
                if (File.Exists(json)) File.Delete(json);
                int benched = Tool(o, Path.Combine(dir, $"bench-{tag}.log"),
                    ["bench", "--project", o.AppDll, "--target", model.Target, "--plan", plan, "--steps", Num(o.Steps),
                     "--json", json, "--markdown", Path.Combine(dir, $"bench-{tag}.md"), .. batch]);
                if (!File.Exists(json))
                {
                    failures.Add($"{model.Target} at {tag}%: bench exited {benched} without results ({Path.Combine(dir, $"bench-{tag}.log")})");
                    continue;
                }
                if (benched != 0)
                    failures.Add($"{model.Target} at {tag}%: bench exited {benched} ({Path.Combine(dir, $"bench-{tag}.log")})");
                rows.AddRange(Rows(model.Target, fraction, json));
            }
        }
        return new SuiteResult(rows, failures) { Verifications = verifications };
    }

    /// <summary>
    /// The cap <paramref name="fraction"/> of the way from the predicted every_stage peak to the predicted peak without
    /// recompute, both scored as the planner scores them (kept stages tidy where allowed).
    /// </summary>
    public static long Cap(Profile profile, double fraction)
    {
        var model = TidyCosts.Model(profile, NoTidyPatterns.Empty);
        int n = profile.Stages.Count;
        long low = model.PeakBytes(model.Runnable(Baselines.EveryStage(n))), high = model.PeakBytes(Baselines.None(n));
        return low + (long)Math.Round(fraction * (high - low));
    }

    internal static IEnumerable<SuiteRow> Rows(string target, double fraction, string json)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        foreach (var r in doc.RootElement.EnumerateArray())
            yield return new SuiteRow(
                target, r.GetProperty("batch_size").GetInt32(), fraction, r.GetProperty("cap_bytes").GetInt64(),
                r.GetProperty("strategy").GetString()!, r.GetProperty("segments").GetString()!,
                r.GetProperty("predicted_peak_bytes").GetInt64(), r.GetProperty("measured_peak_bytes").GetInt64(),
                r.GetProperty("fits_cap").GetBoolean(), GradDiff(r.GetProperty("max_grad_rel_diff")),
                r.GetProperty("predicted_overhead").GetDouble(), r.GetProperty("overhead").GetDouble());
    }

    /// <summary>The bench's <c>max_grad_rel_diff</c>: a number, or the string "Infinity" for a NaN or an infinity in a gradient.</summary>
    private static double GradDiff(JsonElement e) => e.ValueKind == JsonValueKind.String ? double.PositiveInfinity : e.GetDouble();

    /// <summary>Runs <c>dotnet CLI ARGS</c>, its output into <paramref name="log"/>; returns the exit code.</summary>
    internal static int Tool(SuiteOptions o, string log, IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(o.CliDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(o.ToolLimit))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"'dotnet {string.Join(' ', info.ArgumentList)}' ran over {o.ToolLimit}.");
        }
        File.WriteAllText(log, $"dotnet {string.Join(' ', info.ArgumentList)}\nexit {p.ExitCode}\n--- stdout\n{stdout.Result}\n--- stderr\n{stderr.Result}");
        return p.ExitCode;
    }

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The suite's rows, and what could not be measured or failed its bench's verdict.</summary>
public sealed record SuiteResult(IReadOnlyList<SuiteRow> Rows, IReadOnlyList<string> Failures)
{
    /// <summary>What <c>plan --verify</c> measured, one per verified plan (empty when the suite ran without it).</summary>
    public IReadOnlyList<SuiteVerification> Verifications { get; init; } = [];
}

/// <summary>One plan made with <c>plan --verify</c>.</summary>
/// <param name="Model">The target.</param>
/// <param name="CapFraction">The cap's place between every_stage and tidy.</param>
/// <param name="CapBytes">The cap.</param>
/// <param name="Rounds">Plans measured, the written one included: 1 when the first plan fit.</param>
/// <param name="CorrectionBytes">How far verification tightened the budget (0: no correction).</param>
/// <param name="MeasuredPeakBytes">The written plan's measured peak.</param>
public sealed record SuiteVerification(string Model, double CapFraction, long CapBytes, int Rounds, long CorrectionBytes, long MeasuredPeakBytes)
{
    /// <summary>Verification had to plan again.</summary>
    public bool Corrected => Rounds > 1 || CorrectionBytes > 0;
}
