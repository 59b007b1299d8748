// The accuracy suite of issue 15 (docs/benchmarks.md, "Accuracy suite"). Usage, from the repository root:
//   dotnet run -c Release --project perf/Accuracy -- [--models a,b] [--caps 25,50,75] [--steps 5]
//       [--repeats 5] [--tiny] [--verify] [--out artifacts/accuracy] [--doc docs/benchmarks.md | --no-doc] [--no-build]
//       [--cli autockpt.dll] [--app AccuracyTargets.dll]   (built copies elsewhere, e.g. to keep building while it runs)
//       [--sweep]   (instead of the caps: every option at every unit position, one plan each, checked against its
//                    prediction; writes OUT/sweep.md and sweep.json, not the document; exit 1 on any row off target)
// It builds the tool (src/Cli) and tests/assets/AccuracyTargets in Release, then per model: `autockpt profile`, and per
// cap `autockpt plan` and `autockpt bench`; it prints the table and writes it into the document between its markers.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AutoCkpt.Perf.Accuracy;

string[] flags = ["--tiny", "--verify", "--no-doc", "--no-build", "--sweep"];
string[] valued = ["--models", "--caps", "--steps", "--repeats", "--out", "--doc", "--cli", "--app"];
for (int a = 0; a < args.Length; a++)
{
    if (flags.Contains(args[a])) continue;
    if (valued.Contains(args[a]) && a + 1 < args.Length) { a++; continue; }
    // An unknown argument (--help among them) would otherwise start the whole suite and rewrite the document.
    Console.Error.WriteLine($"perf/Accuracy: unknown or incomplete argument '{args[a]}'. Usage: [--models a,b] [--caps 25,50,75] " +
        "[--steps 5] [--repeats 5] [--tiny] [--verify] [--sweep] [--out DIR] [--doc FILE | --no-doc] [--no-build] [--cli DLL] [--app DLL]");
    return 2;
}

string root = RepoRoot();
string? models = Value("--models");
var options = new SuiteOptions
{
    CliDll = Path.GetFullPath(Value("--cli") ?? Path.Combine(root, "src", "Cli", "bin", "Release", "net10.0", "autockpt.dll")),
    AppDll = Path.GetFullPath(Value("--app") ?? Path.Combine(root, "tests", "assets", "AccuracyTargets", "bin", "Release", "net10.0", "AccuracyTargets.dll")),
    OutDir = Path.GetFullPath(Value("--out") ?? Path.Combine(root, "artifacts", "accuracy")),
    Models = SuiteModel.Select(models?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
    CapFractions = Value("--caps") is { } caps ? [.. caps.Split(',').Select(c => double.Parse(c, CultureInfo.InvariantCulture) / 100)] : [0.25, 0.5, 0.75],
    Steps = Value("--steps") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : 5,
    Repeats = Value("--repeats") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 5,
    Tiny = args.Contains("--tiny"),
    Verify = args.Contains("--verify"),
    Log = line => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}"),
};
if (!args.Contains("--no-build"))
    foreach (var project in new[] { "src/Cli/AutoCkpt.Cli.csproj", "tests/assets/AccuracyTargets/AccuracyTargets.csproj" })
        Build(Path.Combine(root, project));

var started = DateTime.UtcNow;
bool sweep = args.Contains("--sweep");
var result = sweep ? AccuracySweep.Run(options) : AccuracySuite.Run(options);
string command = "dotnet run -c Release --project perf/Accuracy -- " + string.Join(' ', args);
string commit = Git("rev-parse --short HEAD");
string header = $"Written by `{command.TrimEnd()}` at commit {commit} (plus the working tree's changes, if any), " +
                $"{started:yyyy-MM-dd HH:mm}-{DateTime.UtcNow:HH:mm} UTC, on {Environment.ProcessorCount} CPU cores " +
                $"(load average at the end: {LoadAverage()}); {options.Steps} timed steps per strategy, {options.Repeats} profiler repeats.";
string table = SuiteTable.Markdown(result, header);
Console.WriteLine(table);
Directory.CreateDirectory(options.OutDir);
string name = sweep ? "sweep" : "suite";
File.WriteAllText(Path.Combine(options.OutDir, $"{name}.md"), table);
File.WriteAllText(Path.Combine(options.OutDir, $"{name}.json"), JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
if (sweep)
    return result.Rows.Any(r => !r.OnTarget || r.GradDiff != 0) || result.Failures.Count > 0 ? 1 : 0;
if (!args.Contains("--no-doc"))
{
    string doc = Path.GetFullPath(Value("--doc") ?? Path.Combine(root, "docs", "benchmarks.md"));
    File.WriteAllText(doc, SuiteTable.Splice(File.ReadAllText(doc), table));
    Console.WriteLine($"wrote the table into {doc}");
}
return result.Rows.Any(r => r.IsDefect || (r.MustFit && !r.FitsCap) || r.GradDiff != 0) || result.Failures.Count > 0 ? 1 : 0;

string? Value(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string RepoRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "AutoCkpt.sln"))) return d.FullName;
    throw new InvalidOperationException("run from inside the repository: no AutoCkpt.sln above " + AppContext.BaseDirectory);
}

void Build(string project)
{
    Console.WriteLine($"building {project}");
    using var p = Process.Start(new ProcessStartInfo("dotnet", ["build", project, "-c", "Release", "-v", "q", "-nologo"]) { UseShellExecute = false })!;
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"dotnet build {project} failed ({p.ExitCode}).");
}

string Git(string arguments)
{
    var info = new ProcessStartInfo("git") { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = root };
    foreach (var a in arguments.Split(' ')) info.ArgumentList.Add(a);
    using var p = Process.Start(info)!;
    string text = p.StandardOutput.ReadToEnd().Trim();
    p.WaitForExit();
    return text;
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
