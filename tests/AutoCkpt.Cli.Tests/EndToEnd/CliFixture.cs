using System.Diagnostics;
using System.Reflection;
using Xunit;

namespace AutoCkpt.Cli.Tests.EndToEnd;

/// <summary>What one run of the tool printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs the built tool (src/Cli's output) as a user would, against tests/assets/TinyTargets, which its first run
/// builds from the project file.
/// Each test gets the same scratch folder as its working directory.
/// </summary>
public sealed class CliFixture : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    public CliFixture()
    {
        var meta = typeof(CliFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value!);
        RepoRoot = meta["RepoRoot"];
        Configuration = meta["Configuration"];
        CliDll = Path.Combine(RepoRoot, "src", "Cli", "bin", Configuration, "net10.0", "autockpt.dll");
        TinyProject = Path.Combine(RepoRoot, "tests", "assets", "TinyTargets", "TinyTargets.csproj");
        TinyDll = Path.Combine(RepoRoot, "tests", "assets", "TinyTargets", "bin", Configuration, "net10.0", "TinyTargets.dll");
        Scratch = Directory.CreateTempSubdirectory("autockpt-profiler-tests-").FullName;
        // The one run that builds TinyTargets from its project file; the other tests use the .dll it built.
        ProfiledFromProject = ScratchFile("mlp-from-csproj.yaml");
        FromProject = Cli("profile", "--project", TinyProject, "--target", "tiny-mlp", "--repeats", "2", "-c", Configuration, "--out", ProfiledFromProject);
    }

    /// <summary>The result of profiling tiny-mlp from TinyTargets.csproj, which built the project.</summary>
    public CliResult FromProject { get; }

    /// <summary>The profile that run wrote.</summary>
    public string ProfiledFromProject { get; }

    public string RepoRoot { get; }
    public string Configuration { get; }
    public string CliDll { get; }
    public string TinyProject { get; }
    public string TinyDll { get; }
    public string Scratch { get; }

    /// <summary>Runs <c>dotnet autockpt.dll ARGS</c> in the scratch folder.</summary>
    public CliResult Cli(params string[] args) => ChildProcess.Run("dotnet", [CliDll, .. args], Scratch, Limit);

    public string ScratchFile(string name) => Path.Combine(Scratch, name);

    public void Dispose()
    {
        try { Directory.Delete(Scratch, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class CliCollection : ICollectionFixture<CliFixture>
{
    public const string Name = "cli";
}

/// <summary>Runs a child process to completion and keeps what it printed.</summary>
public static class ChildProcess
{
    /// <summary>Runs <paramref name="file"/> in <paramref name="workDir"/>; kills it and throws past <paramref name="limit"/>.</summary>
    public static CliResult Run(string file, IEnumerable<string> args, string workDir, TimeSpan limit)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDir,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{file} {string.Join(' ', info.ArgumentList)}' ran over {limit}.");
        }
        return new CliResult(p.ExitCode, stdout.Result, stderr.Result);
    }
}
