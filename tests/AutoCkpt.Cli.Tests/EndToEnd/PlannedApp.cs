using System.Reflection;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Cli.Tests.EndToEnd;

/// <summary>
/// A training app that uses the MSBuild integration, taken through a user's steps with the built tool: profile it
/// from its project file (the build makes no plan: the profile does not exist yet), <c>dotnet build</c> it (the plan
/// lands beside the app), profile it again, then bench the plan from the project file. The app lives in a temporary
/// folder whose Directory.Build.props/.targets and Directory.Packages.props import the repo's, so that it builds as a
/// project in this repo does (TorchSharp, the in-repo MSBuild integration), and it compiles TinyTargets' Targets.cs.
/// About a minute and a half on 2 loaded cores, most of it the first build.
/// </summary>
public sealed class PlannedApp : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    /// <summary>Batch 1024: each activation is 1 MiB, so the stages, not the fixed memory, decide the plan.</summary>
    public const string BatchSize = "1024";

    public PlannedApp()
    {
        var meta = typeof(PlannedApp).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value!);
        string repo = meta["RepoRoot"];
        Configuration = meta["Configuration"];
        CliDll = Path.Combine(repo, "src", "Cli", "bin", Configuration, "net10.0", "autockpt.dll");
        Root = Directory.CreateTempSubdirectory("autockpt-planned-app-").FullName;
        Write(repo);

        FirstProfile = Cli("profile", "--project", ProjectPath, "--target", "tiny-mlp", "--repeats", "1", "--batch-size", BatchSize,
            "-c", Configuration, "--out", ProfilePath);
        Build = ChildProcess.Run("dotnet", ["build", ProjectPath, "-c", Configuration, "-nologo"], AppDir, Limit).Finished();
        PlanAfterBuild = ReadPlan();
        Reprofile = Cli("profile", "--project", ProjectPath, "--target", "tiny-mlp", "--repeats", "1", "--batch-size", "8",
            "-c", Configuration, "--out", Path.Combine(Root, "again.profile.yaml"));
        PlanAfterProfile = ReadPlan();
        // A changed source: the bench must build (and that build must keep the plan).
        File.SetLastWriteTimeUtc(Path.Combine(AppDir, "Program.cs"), DateTime.UtcNow);
        Bench = Cli("bench", "--project", ProjectPath, "--target", "tiny-mlp", "--plan", PlanPath, "--steps", "2", "-c", Configuration,
            "--json", Out("bench.json"), "--markdown", Out("bench.md"), "--svg", Out("bench.svg"));
        PlanAfterBench = ReadPlan();
    }

    public string Configuration { get; }
    public string CliDll { get; }
    public string Root { get; }
    public string AppDir => Path.Combine(Root, "app");
    public string ProjectPath => Path.Combine(AppDir, "App.csproj");
    public string ProfilePath => Path.Combine(AppDir, "tiny-mlp.profile.yaml");
    public string AppDll => Path.Combine(AppDir, "bin", Configuration, "net10.0", "App.dll");
    public string PlanPath => Path.Combine(AppDir, "bin", Configuration, "net10.0", "autockpt.plan.yaml");

    public ProcessResult FirstProfile { get; }
    public ProcessResult Build { get; }
    public string? PlanAfterBuild { get; }
    public ProcessResult Reprofile { get; }
    public string? PlanAfterProfile { get; }
    public ProcessResult Bench { get; }
    public string? PlanAfterBench { get; }

    /// <summary>A file in the folder for the bench's outputs.</summary>
    public string Out(string name) => Path.Combine(Root, "out", name);

    /// <summary>Runs <c>dotnet autockpt.dll ARGS</c> in the app's folder.</summary>
    public ProcessResult Cli(params string[] args) => ChildProcess.Run("dotnet", [CliDll, .. args], AppDir, Limit).Finished();

    private string? ReadPlan() => File.Exists(PlanPath) ? File.ReadAllText(PlanPath) : null;

    private void Write(string repo)
    {
        Directory.CreateDirectory(AppDir);
        foreach (string name in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
            File.WriteAllText(Path.Combine(Root, name), $"<Project>\n  <Import Project=\"{Path.Combine(repo, name)}\" />\n</Project>\n");
        File.Copy(Path.Combine(repo, "global.json"), Path.Combine(Root, "global.json"));
        File.WriteAllText(ProjectPath, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <AssemblyName>App</AssemblyName>
                <AutoCkptUsesTorch>true</AutoCkptUsesTorch>
                <TieredCompilation>false</TieredCompilation>
                <AutoCkptMSBuildFromSource>true</AutoCkptMSBuildFromSource>
                <AutoCkptProfile>tiny-mlp.profile.yaml</AutoCkptProfile>
                <AutoCkptMemoryCap>92%</AutoCkptMemoryCap>
                <AutoCkptCheckpointTarget>tiny-mlp</AutoCkptCheckpointTarget>
              </PropertyGroup>
              <ItemGroup>
                <Compile Include="{Path.Combine(repo, "tests", "assets", "TinyTargets", "Targets.cs")}" />
                <ProjectReference Include="{Path.Combine(repo, "src", "Runtime", "AutoCkpt.Runtime.csproj")}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(AppDir, "Program.cs"), "System.Console.WriteLine(\"a training app would train here\");\n");
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class PlannedAppCollection : ICollectionFixture<PlannedApp>
{
    public const string Name = "planned-app";
}
