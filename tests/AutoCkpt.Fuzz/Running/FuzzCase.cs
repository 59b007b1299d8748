using System.Diagnostics;
using AutoCkpt.Fuzz.Mutation;
using AutoCkpt.Testing;

namespace AutoCkpt.Fuzz.Running;

/// <summary>
/// Runs the tool on one input in a folder of its own, as a black box: the commands that read the input, then the
/// checks on what they left: the output file unchanged on failure, the plan written readable on success, and no
/// file but the ones the case made.
/// </summary>
public sealed class FuzzCase
{
    /// <summary>What the fuzzer writes to the output path before the tool runs; a failing command must leave it so.</summary>
    public const string Sentinel = "# the fuzzer's sentinel: a command that fails must leave this file as it is\n";

    private const string OutName = "out.plan.yaml";
    private const string SvgName = "out.svg";
    private readonly FuzzOptions _o;

    /// <summary>A case runner for <paramref name="options"/>.</summary>
    public FuzzCase(FuzzOptions options) => _o = options;

    /// <summary>Writes <paramref name="bytes"/> as the input and runs the commands for <paramref name="seed"/>'s kind.</summary>
    public IReadOnlyList<CaseResult> Run(int index, Seed seed, string operators, byte[] bytes, string folder)
    {
        Directory.CreateDirectory(folder);
        string input = seed.Kind == SeedKind.Profile ? "input.profile.yaml" : "input.plan.yaml";
        File.WriteAllBytes(Path.Combine(folder, input), bytes);
        var expected = new List<string> { input };
        if (seed.ProfileName is { } p)
        {
            File.WriteAllText(Path.Combine(folder, p), seed.ProfileText);
            expected.Add(p);
        }
        return RunCommands(index, seed.Name, operators, seed.Kind, folder, input, expected);
    }

    /// <summary>Runs the commands on an input path that the caller made (a device, a FIFO, a folder).</summary>
    public IReadOnlyList<CaseResult> RunSpecial(string name, string folder, string inputPath, IReadOnlyList<string> expected)
    {
        var results = new List<CaseResult>();
        results.AddRange(RunCommands(-1, name, "special-file", SeedKind.Profile, folder, inputPath, expected));
        results.AddRange(RunCommands(-1, name, "special-file", SeedKind.Plan, folder, inputPath, expected).Where(r => r.Command == "read-plan"));
        return results;
    }

    private List<CaseResult> RunCommands(int index, string seed, string operators, SeedKind kind, string folder, string input, IReadOnlyList<string> expected)
    {
        var results = new List<CaseResult>();
        string outPath = Path.Combine(folder, OutName);
        File.WriteAllText(outPath, Sentinel);
        var allowed = new HashSet<string>(expected.Append(OutName).Append(SvgName), StringComparer.Ordinal);
        void Add(string command, ProcessResult r, Verdict? verdict = null, string? detail = null)
        {
            var (v, c, d) = Verdicts.Of(r);
            if (verdict is { } forced && v.IsAcceptable()) (v, c, d) = (forced, forced.ToString(), detail ?? "");
            results.Add(new CaseResult(index, seed, operators, command, v, c, d, r.Seconds, Path.Combine(folder, input)));
        }

        if (kind == SeedKind.Profile)
        {
            var plan = Cli(folder, "plan", "--profile", input, "--memory-cap", "50%", "--out", OutName);
            string written = File.Exists(outPath) ? File.ReadAllText(outPath) : "";
            if (plan.ExitCode == 0 && written == Sentinel) Add("plan", plan, Verdict.UnreadableOutput, "exit 0 but the plan was not written");
            else if (plan.ExitCode != 0 && written != Sentinel) Add("plan", plan, Verdict.OutputChanged, "failed but changed --out");
            else Add("plan", plan);
            if (plan.ExitCode == 0 && written != Sentinel)
            {
                // The plan the tool wrote must read back, with the same tool.
                var show = Cli(folder, "show", OutName);
                Add("show-written", show);
                if (results[^1].Verdict == Verdict.CodedError)
                    results[^1] = results[^1] with { Verdict = Verdict.UnreadableOutput, Class = "UnreadableOutput", Detail = "the plan it wrote does not read back: " + show.Error.Trim() };
            }
            File.WriteAllText(outPath, Sentinel);
            Add("show", Cli(folder, "show", input));
            ShowSvg();
        }
        else
        {
            Add("show", Cli(folder, "show", input));
            ShowSvg();
            Add("read-plan", DotnetChild.Run(_o.FuzzDll, ["read-plan", input, _o.FormatsDll], folder, _o.Timeout));
        }

        // Drawing reads every time and byte count of the profile: a failure must leave no picture behind.
        void ShowSvg()
        {
            string svg = Path.Combine(folder, SvgName);
            var r = Cli(folder, "show", input, "--svg", SvgName);
            if (r.ExitCode != 0 && File.Exists(svg)) Add("show-svg", r, Verdict.OutputChanged, "failed but wrote the SVG");
            else Add("show-svg", r);
            if (File.Exists(svg)) File.Delete(svg);
        }

        var stray = Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f)).Where(f => !allowed.Contains(f)).ToList();
        if (stray.Count > 0)
            results.Add(new CaseResult(index, seed, operators, "files", Verdict.StrayFiles, "StrayFiles", string.Join(", ", stray.Take(5)), 0, Path.Combine(folder, input)));
        return results;
    }

    private ProcessResult Cli(string folder, params string[] args) => DotnetChild.Run(_o.CliDll, args, folder, _o.Timeout);

    /// <summary>Makes a FIFO with mkfifo(1); false where there is none.</summary>
    public static bool TryMakeFifo(string path)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>The mutator's operators' names, for reports.</summary>
    public static IEnumerable<string> OperatorNames => YamlMutations.All.Select(o => o.Name).Concat(BinaryMutations.All.Select(o => o.Name));
}
