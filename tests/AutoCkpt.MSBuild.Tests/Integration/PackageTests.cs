using AutoCkpt.Formats;

namespace AutoCkpt.MSBuild.Tests.Integration;

/// <summary>
/// What a user does: the packages from `dotnet pack` in a folder, a fresh project outside the repo with its own
/// nuget.config (that folder plus nuget.org), build, run. The packages get a version of their own, and the project
/// restores into its own package folder (the machine's cache is a read-only fallback), so no stale copy is used.
/// Natives are packed for linux-x64 only (AutoCkptPackRuntimes), to keep the packages small.
/// </summary>
public sealed class PackedConsumer : IDisposable
{
    public PackedConsumer()
    {
        Directory.CreateDirectory(Packages);
        Directory.CreateDirectory(App);
        Pack = SampleProject.Run(RepoPaths.Root, "dotnet", ["pack", Path.Combine(RepoPaths.Root, "AutoCkpt.sln"), "--no-build",
            "-c", RepoPaths.Configuration, "-nodeReuse:false", "-tl:off", $"-p:PackageOutputPath={Packages}/",
            $"-p:PackageVersion={Version}", "-p:AutoCkptPackRuntimes=linux-x64"]);
        if (Pack.ExitCode != 0) return;

        WriteApp();
        Build = SampleProject.Run(App, "dotnet", ["build", "-nodeReuse:false", "-tl:off", "-v:n", "-clp:NoSummary"]);
        if (Build.ExitCode != 0) return;
        Plan = PlanFile.Read(Path.Combine(App, "bin", "Debug", "net10.0", PlanFile.DefaultFileName));
        RunApp = SampleProject.Run(App, "dotnet", ["run", "--no-build"]);
        ToolInstall = SampleProject.Run(App, "dotnet", ["tool", "install", "AutoCkpt.Tool", "--create-manifest-if-needed", "--version", Version]);
        ToolPlan = SampleProject.Run(App, "dotnet", ["autockpt", "plan", "--profile", "model.profile.yaml", "--memory-cap", "2GiB", "--out", "tool.plan.yaml"]);
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "autockpt-msbuild-tests", "pack-" + Guid.NewGuid().ToString("N")[..12]);
    public string Version { get; } = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}";
    public string Packages => Path.Combine(Root, "packages");
    public string App => Path.Combine(Root, "app");
    public BuildResult Pack { get; }
    public BuildResult? Build { get; }
    public Plan? Plan { get; }
    public BuildResult? RunApp { get; }
    public BuildResult? ToolInstall { get; }
    public BuildResult? ToolPlan { get; }

    private void WriteApp()
    {
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(App, "nuget.config"), $"""
            <configuration>
              <config><add key="globalPackagesFolder" value="{Path.Combine(Root, "nuget-packages")}" /></config>
              <packageSources>
                <clear />
                <add key="autockpt" value="{Packages}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <fallbackPackageFolders><add key="machine" value="{cache}" /></fallbackPackageFolders>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(App, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <AutoCkptProfile>model.profile.yaml</AutoCkptProfile>
                <AutoCkptMemoryCap>1GiB</AutoCkptMemoryCap>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="AutoCkpt.Runtime" Version="{Version}" />
                <PackageReference Include="AutoCkpt.MSBuild" Version="{Version}" PrivateAssets="all" />
                <PackageReference Include="libtorch-cpu-linux-x64" Version="2.10.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(App, "Program.cs"), """
            using AutoCkpt;
            using AutoCkpt.Formats;
            using TorchSharp;

            var plan = PlanFile.Read(Path.Combine(AppContext.BaseDirectory, PlanFile.DefaultFileName));
            var model = torch.nn.Sequential(("0", torch.nn.Linear(4, 8)), ("1", torch.nn.ReLU()), ("2", torch.nn.Linear(8, 2)));
            Console.WriteLine($"plan: {plan.Segments.Count} segments, cap {plan.MemoryCapBytes}");
            Console.WriteLine($"model: {ModelStages.Of(model).Count} stages, {ModelStages.Fingerprint(model)}");
            """);
        File.Copy(RepoPaths.Asset("tiny.profile.yaml"), Path.Combine(App, "model.profile.yaml"));
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

public sealed class PackageTests(PackedConsumer c) : IClassFixture<PackedConsumer>
{
    [Fact]
    public void Given_the_repo_When_packed_Then_each_package_and_its_symbols_land_in_one_folder()
    {
        Assert.True(c.Pack.ExitCode == 0, c.Pack.ToString());
        foreach (string id in new[] { "AutoCkpt.Runtime", "AutoCkpt.Formats", "AutoCkpt.MSBuild", "AutoCkpt.Tool" })
        {
            Assert.True(File.Exists(Path.Combine(c.Packages, $"{id}.{c.Version}.nupkg")), id);
            Assert.True(File.Exists(Path.Combine(c.Packages, $"{id}.{c.Version}.snupkg")), id + " symbols");
        }
    }

    [Fact]
    public void Given_the_packages_When_a_fresh_project_builds_with_them_Then_the_plan_is_made_beside_the_app()
    {
        Assert.True(c.Build?.ExitCode == 0, c.Build?.ToString() ?? c.Pack.ToString());
        Assert.True(c.Build!.PlanTaskRan, c.Build.ToString());
        Assert.Equal(1L << 30, c.Plan?.MemoryCapBytes);
    }

    [Fact]
    public void Given_the_built_project_When_it_runs_Then_TorchSharp_loads_and_the_plan_is_found_with_no_path()
    {
        Assert.True(c.RunApp?.ExitCode == 0, c.RunApp?.ToString() ?? c.Build?.ToString());
        Assert.Contains("plan: ", c.RunApp!.Output);
        Assert.Contains("cap 1073741824", c.RunApp.Output);
        Assert.Contains("model: 3 stages, sha256:", c.RunApp.Output);
    }

    [Fact]
    public void Given_the_tool_package_When_installed_as_a_local_tool_Then_dotnet_autockpt_plans()
    {
        Assert.True(c.ToolInstall?.ExitCode == 0, c.ToolInstall?.ToString() ?? c.Build?.ToString());
        Assert.True(c.ToolPlan?.ExitCode == 0, c.ToolPlan?.ToString());
        Assert.Equal(2L << 30, PlanFile.Read(Path.Combine(c.App, "tool.plan.yaml")).MemoryCapBytes);
    }
}
