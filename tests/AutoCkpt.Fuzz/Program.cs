using System.Globalization;
using AutoCkpt.Fuzz.Running;

// dotnet run -c Release --project tests/AutoCkpt.Fuzz -- [--count N] [--seed S] [--cli autockpt.dll] [--jobs J]
//     [--timeout SECONDS] [--work DIR] [--report FILE] [--no-special]
// Exit 0 when every input got a valid result or a coded error, 1 when any did not, 2 on a usage error.
if (args.Length >= 1 && args[0] == "read-plan")
    return args.Length == 3 ? PlanReader.Run(args[1], args[2]) : 2;

var o = new Dictionary<string, string>(StringComparer.Ordinal);
bool special = true;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--no-special") { special = false; continue; }
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"usage: AutoCkpt.Fuzz [--count N] [--seed S] [--cli autockpt.dll] [--jobs J] [--timeout S] [--work DIR] [--report FILE] [--no-special] (bad '{args[i]}')");
        return 2;
    }
    o[args[i][2..]] = args[++i];
}
string here = AppContext.BaseDirectory;
string cli = o.TryGetValue("cli", out var c) ? Path.GetFullPath(c) : DefaultCli(here);
var options = new FuzzOptions
{
    Count = o.TryGetValue("count", out var n) ? int.Parse(n, CultureInfo.InvariantCulture) : 3000,
    Seed = o.TryGetValue("seed", out var s) ? int.Parse(s, CultureInfo.InvariantCulture) : 7,
    CliDll = cli,
    FuzzDll = Path.Combine(here, "AutoCkpt.Fuzz.dll"),
    WorkFolder = o.TryGetValue("work", out var w) ? Path.GetFullPath(w) : Directory.CreateTempSubdirectory("autockpt-fuzz-").FullName,
    Jobs = o.TryGetValue("jobs", out var j) ? int.Parse(j, CultureInfo.InvariantCulture) : Environment.ProcessorCount,
    Timeout = TimeSpan.FromSeconds(o.TryGetValue("timeout", out var t) ? double.Parse(t, CultureInfo.InvariantCulture) : 30),
    SpecialFiles = special,
};
if (!File.Exists(options.CliDll))
{
    Console.Error.WriteLine($"no tool at '{options.CliDll}': build src/Cli (dotnet build src/Cli -c Release) or pass --cli PATH/autockpt.dll");
    return 2;
}
Console.WriteLine($"fuzzing {options.CliDll} with {options.Count} inputs, seed {options.Seed}; work folder {options.WorkFolder}");
var report = FuzzRun.Run(options, Console.Out);
string summary = report.Summary();
Console.Write(summary);
if (o.TryGetValue("report", out var r)) File.WriteAllText(r, summary);
return report.Failures.Count == 0 ? 0 : 1;

// The tool built from this checkout, Release, next to this project: src/Cli/bin/Release/net10.0/autockpt.dll.
static string DefaultCli(string here)
{
    for (var d = new DirectoryInfo(here); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "AutoCkpt.sln")))
            return Path.Combine(d.FullName, "src", "Cli", "bin", "Release", "net10.0", "autockpt.dll");
    return Path.Combine(here, "autockpt.dll");
}
