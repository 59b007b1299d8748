using System.Security.Cryptography;
using System.Text.RegularExpressions;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Testing;
using Xunit;
using Xunit.Abstractions;

namespace AutoCkpt.Cli.Tests.Fuzz;

/// <summary>
/// Every option of <c>plan</c> and <c>show</c>, given malformed values (<see cref="OptionMutator"/>) one option at a time
/// with the others valid, in this process: each run gives a coded error or a valid result, with no stack trace, no hang,
/// and on failure the folder exactly as it was (the existing plan unchanged, no new folder, no temporary file).
/// AUTOCKPT_FUZZ_COUNT (random mutations per option, default 12) and AUTOCKPT_FUZZ_SEED make a longer run.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class CliOptionFuzzTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private static readonly Regex Coded = new(@"(^|: )error ACKPT\d{3}: \S", RegexOptions.Multiline);
    private static readonly TimeSpan PerRun = TimeSpan.FromSeconds(60);
    private readonly CliHarness _cli = new();

    public CliOptionFuzzTests(ITestOutputHelper output)
    {
        _output = output;
        _cli.WriteProfile(profile: TestProfiles.Uniform(6));
        MakeValidFiles();
    }

    private void MakeValidFiles()
    {
        var plan = _cli.Run(PlanArgs(new()));
        Assert.True(plan.Exit == 0, plan.Err);
        var show = _cli.Run("show", "out/model.plan.yaml", "--svg", "out/model.svg");
        Assert.True(show.Exit == 0, show.Err);
    }

    public void Dispose() => _cli.Dispose();

    private static int Count => int.TryParse(Environment.GetEnvironmentVariable("AUTOCKPT_FUZZ_COUNT"), out int n) ? n : 12;
    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("AUTOCKPT_FUZZ_SEED"), out int s) ? s : 12;

    private static readonly Dictionary<string, string> PlanValid = new()
    {
        ["--profile"] = "model.profile.yaml", ["--memory-cap"] = "90%", ["--headroom"] = "2%", ["--out"] = "out/model.plan.yaml",
        ["--solver"] = "exact", ["--time-limit"] = "10", ["--max-segment"] = "4",
    };

    private static string[] PlanArgs(Dictionary<string, string> change)
    {
        var args = new List<string> { "plan" };
        foreach (var (name, valid) in PlanValid) args.AddRange([name, change.GetValueOrDefault(name, valid)]);
        return [.. args];
    }

    public static TheoryData<string> PlanOptions => [.. PlanValid.Keys];

    [Theory]
    [MemberData(nameof(PlanOptions))]
    public void Given_malformed_values_of_a_plan_option_When_planned_Then_each_is_a_coded_error_or_a_valid_plan_and_a_failure_changes_nothing(string option)
    {
        var failures = new List<string>();
        int tried = 0;
        foreach (string value in Values(PlanValid[option], option))
        {
            Check(PlanArgs(new() { [option] = value }), option == "--out" ? value : PlanValid["--out"], failures, option, value);
            tried++;
        }
        _output.WriteLine($"plan {option}: {tried} values tried, {failures.Count} bad outcomes");
        Assert.True(failures.Count == 0, $"{failures.Count} bad outcomes for {option}:\n" + string.Join("\n", failures.Take(40)));
    }

    [Theory]
    [InlineData("file")]
    [InlineData("--svg")]
    public void Given_malformed_values_of_a_show_argument_When_shown_Then_each_is_a_coded_error_or_a_valid_result_and_a_failure_changes_nothing(string option)
    {
        var failures = new List<string>();
        int tried = 0;
        foreach (string value in Values(option == "file" ? "out/model.plan.yaml" : "out/model.svg", option))
        {
            tried++;
            string[] args = option == "file" ? ["show", value, "--svg", "out/model.svg"] : ["show", "out/model.plan.yaml", "--svg", value];
            Check(args, option == "--svg" ? value : "out/model.svg", failures, option, value);
        }
        _output.WriteLine($"show {option}: {tried} values tried, {failures.Count} bad outcomes");
        Assert.True(failures.Count == 0, $"{failures.Count} bad outcomes for {option}:\n" + string.Join("\n", failures.Take(40)));
    }

    /// <summary>The seed set and the random mutations; paths that leave the test folder are kept inside it.</summary>
    private static IEnumerable<string> Values(string valid, string option) =>
        OptionMutator.Seeds.Concat(OptionMutator.Mutations(valid, Count, Seed ^ StableHash(option)))
            .Select(v => Path.IsPathRooted(v) && option is "--out" or "--svg" ? "rooted" + v : v)
            .Distinct();

    /// <summary>A hash that is the same in every run (string.GetHashCode is randomised per process), so a seed repeats.</summary>
    private static int StableHash(string s) => s.Aggregate(17, (h, c) => unchecked(h * 31 + c)) & 0xffff;

    private void Check(string[] args, string output, List<string> failures, string option, string value)
    {
        var before = Snapshot();
        var run = Task.Run(() => _cli.Run(args));
        if (!run.Wait(PerRun))
        {
            failures.Add($"{option} {Show(value)}: no answer in {PerRun.TotalSeconds} s");
            return;
        }
        var (exit, stdout, err) = run.Result;
        string why = exit switch
        {
            0 => ValidResult(args, output, stdout, before),
            1 => Coded.IsMatch(err) ? Unchanged(before) : "exit 1 without a coded error",
            _ => $"exit {exit}",
        };
        if (err.Contains("   at ", StringComparison.Ordinal) || err.Contains("Unhandled exception", StringComparison.Ordinal) || err.Contains("ACKPT082", StringComparison.Ordinal))
            why += " (a stack trace or an internal error)";
        if (why.Length > 0) failures.Add($"{option} {Show(value)}: {why}: {FirstLine(err)}");
        Restore(before);
    }

    private string ValidResult(string[] args, string output, string stdout, Dictionary<string, string> before)
    {
        if (stdout.Contains("Usage:", StringComparison.Ordinal)) return Unchanged(before);
        string path = Path.Combine(_cli.Folder, output);
        if (!File.Exists(path)) return $"exit 0 but no '{output}'";
        if (args[0] == "plan")
        {
            try { PlanFile.Read(path); }
            catch (AckptException e) { return $"exit 0 but the plan does not read back: {e}"; }
        }
        else if (!File.ReadAllText(path).StartsWith("<svg", StringComparison.Ordinal)) return "exit 0 but no SVG";
        var now = Snapshot();
        var changed = now.Where(kv => !before.TryGetValue(kv.Key, out var v) || v != kv.Value).Select(kv => kv.Key)
            .Concat(before.Keys.Where(k => !now.ContainsKey(k)))
            .Where(k => !Path.GetFullPath(path).StartsWith(Path.Combine(_cli.Folder, k).TrimEnd('/'), StringComparison.Ordinal)).ToList();
        return changed.Count == 0 ? "" : "exit 0 and also changed " + string.Join(", ", changed);
    }

    private string Unchanged(Dictionary<string, string> before)
    {
        var now = Snapshot();
        var diff = now.Keys.Union(before.Keys).Where(k => !before.TryGetValue(k, out var a) || !now.TryGetValue(k, out var b) || a != b).ToList();
        return diff.Count == 0 ? "" : "failed but changed " + string.Join(", ", diff);
    }

    /// <summary>Every file and folder under the test folder, files by content hash.</summary>
    private Dictionary<string, string> Snapshot() =>
        Directory.EnumerateFileSystemEntries(_cli.Folder, "*", SearchOption.AllDirectories).ToDictionary(
            p => Path.GetRelativePath(_cli.Folder, p),
            p => Directory.Exists(p) ? "dir" : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))));

    /// <summary>Puts the folder back as it was before a run: removes what the run added and rewrites what it changed.</summary>
    private void Restore(Dictionary<string, string> before)
    {
        foreach (var (rel, kind) in Snapshot().OrderByDescending(kv => kv.Key.Length))
        {
            if (before.ContainsKey(rel)) continue;
            string p = Path.Combine(_cli.Folder, rel);
            if (kind == "dir") Directory.Delete(p, recursive: true); else File.Delete(p);
        }
        if (Snapshot().Any(kv => before[kv.Key] != kv.Value))
        {
            _cli.WriteProfile(profile: TestProfiles.Uniform(6));
            MakeValidFiles();
        }
    }

    private static string Show(string v) => "'" + (v.Length > 40 ? v[..40] + "…" : v).Replace("\n", "\\n").Replace("\0", "\\0") + "'";

    private static string FirstLine(string err) => err.Split('\n').FirstOrDefault(l => l.Trim().Length > 0)?.Trim() is { } l ? (l.Length > 160 ? l[..160] : l) : "(no stderr)";
}
