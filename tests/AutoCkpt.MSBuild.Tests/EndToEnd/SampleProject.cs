using AutoCkpt.MSBuild.Tests.Support;
using AutoCkpt.Testing;

namespace AutoCkpt.MSBuild.Tests.EndToEnd;

/// <summary>
/// A small console app in a temporary folder outside the repo that uses the integration as the package does: it
/// imports src/MSBuild/build/AutoCkpt.MSBuild.props and .targets, with the task and the command line this test build made.
/// </summary>
public sealed class SampleProject : IDisposable
{
    private const string Program = """
        string plan = System.IO.Path.Combine(System.AppContext.BaseDirectory, "autockpt.plan.yaml");
        System.Console.WriteLine(System.IO.File.Exists(plan) ? "plan found: " + plan : "no plan");
        """;

    /// <param name="extraProperties">More properties, as XML.</param>
    /// <param name="generatesPlan">False: no AutoCkptProfile or AutoCkptMemoryCap, so the build makes no plan.</param>
    public SampleProject(string extraProperties = "", bool generatesPlan = true)
    {
        string planning = generatesPlan ? "<AutoCkptProfile>app.profile.yaml</AutoCkptProfile>\n    <AutoCkptMemoryCap>1GiB</AutoCkptMemoryCap>" : "";
        Directory.CreateDirectory(Root);
        string build = Path.Combine(RepoPaths.Root, "src", "MSBuild", "build");
        File.WriteAllText(ProjectPath, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <Import Project="{build}/AutoCkpt.MSBuild.props" />
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <AutoCkptTaskAssembly>{RepoPaths.TaskAssembly}</AutoCkptTaskAssembly>
                <AutoCkptCliAssembly>{RepoPaths.CliAssembly}</AutoCkptCliAssembly>
                {planning}
                {extraProperties}
              </PropertyGroup>
              <Import Project="{build}/AutoCkpt.MSBuild.targets" />
            </Project>
            """);
        File.WriteAllText(Path.Combine(Root, "Program.cs"), Program);
        File.Copy(RepoPaths.Asset("tiny.profile.yaml"), ProfilePath);
        File.Copy(RepoPaths.Asset("malformed.profile.yaml"), Path.Combine(Root, "malformed.profile.yaml"));
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "autockpt-msbuild-tests", Guid.NewGuid().ToString("N")[..12], "app");
    public string ProjectPath => Path.Combine(Root, "app.csproj");
    public string ProfilePath => Path.Combine(Root, "app.profile.yaml");
    public string OutDir => Path.Combine(Root, "bin", "Debug", "net10.0");
    public string PlanPath => Path.Combine(OutDir, "autockpt.plan.yaml");
    public string ObjDir => Path.Combine(Root, "obj", "Debug", "net10.0");

    /// <summary>`dotnet build` (or another verb) with no node reuse, normal verbosity and no terminal logger.</summary>
    public BuildResult Dotnet(string verb, params string[] args) =>
        Run(Root, "dotnet", [verb, ProjectPath, "-nodeReuse:false", "-tl:off", "-v:n", "-clp:NoSummary", .. args]);

    /// <summary>Runs the built app and returns what it printed.</summary>
    public BuildResult RunApp() => Run(Root, "dotnet", ["exec", Path.Combine(OutDir, "app.dll")]);

    /// <summary>Runs a process to completion, without the MSBuild variables a test host may have inherited.</summary>
    public static BuildResult Run(string workDir, string file, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? env = null)
    {
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(k => k, string? (_) => null);
        environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) environment[k] = v;
        var r = ChildProcess.Run(file, args, workDir, environment: environment);
        return new BuildResult($"{file} {string.Join(' ', args)}", r.ExitCode!.Value, r.Out + r.Error);
    }

    public void Dispose()
    {
        try { Directory.Delete(Path.GetDirectoryName(Root)!, recursive: true); } catch (IOException) { }
    }
}
