using System.Reflection;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Cli.Tests.EndToEnd;

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
    public ProcessResult FromProject { get; }

    /// <summary>The profile that run wrote.</summary>
    public string ProfiledFromProject { get; }

    public string RepoRoot { get; }
    public string Configuration { get; }
    public string CliDll { get; }
    public string TinyProject { get; }
    public string TinyDll { get; }
    public string Scratch { get; }

    /// <summary>Runs <c>dotnet autockpt.dll ARGS</c> in the scratch folder.</summary>
    public ProcessResult Cli(params string[] args) => ChildProcess.Run("dotnet", [CliDll, .. args], Scratch, Limit).Finished();

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
