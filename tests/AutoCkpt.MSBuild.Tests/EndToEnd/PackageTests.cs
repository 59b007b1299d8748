using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.MSBuild.Tests.Support;


namespace AutoCkpt.MSBuild.Tests.EndToEnd;

/// <summary>
/// What a user does, with the packages from `dotnet pack` in a folder and a fresh project outside the repo (its own
/// nuget.config: that folder plus nuget.org): build with AutoCkptProfileOnBuild and AutoCkptUnits (the build profiles
/// the model's units the patterns name, then plans), run the app (it applies the plan it finds beside itself, without
/// the patterns: the plan's paths name the units), then install the tool and plan with it. The
/// packages get a version of their own (MinVerVersionOverride: MinVer, not PackageVersion, sets it) and restore into the project's own package folder (the machine's cache is a
/// read-only fallback), so no stale copy is used. Natives are packed for linux-x64 only.
/// </summary>
public sealed class PackedConsumer : IDisposable
{
    public PackedConsumer()
    {
        Directory.CreateDirectory(Packages);
        Directory.CreateDirectory(App);
        Pack = SampleProject.Run(RepoPaths.Root, "dotnet", ["pack", Path.Combine(RepoPaths.Root, "AutoCkpt.sln"), "--no-build",
            "-c", RepoPaths.Configuration, "-nodeReuse:false", "-tl:off", $"-p:PackageOutputPath={Packages}/",
            $"-p:MinVerVersionOverride={Version}", "-p:AutoCkptPackRuntimes=linux-x64"]);
        if (Pack.ExitCode != 0) return;

        WriteApp();
        Build = Dotnet("build", "-nodeReuse:false", "-tl:off", "-v:n", "-clp:NoSummary");
        if (Build.ExitCode != 0) return;
        Plan = PlanFile.Read(Path.Combine(App, "bin", "Debug", "net10.0", PlanFile.DefaultFileName));
        RunApp = Dotnet("run", "--no-build");
        ToolInstall = Dotnet("tool", "install", "AutoCkpt.Tool", "--create-manifest-if-needed", "--version", Version);
        if (ToolInstall.ExitCode != 0) return;
        ToolPlan = Dotnet("autockpt", "plan", "--profile", "app.profile.yaml", "--memory-cap", "2GiB", "--out", "tool.plan.yaml");
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

    private BuildResult Dotnet(params string[] args) => SampleProject.Run(App, "dotnet", args);

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
                <AutoCkptProfile>app.profile.yaml</AutoCkptProfile>
                <AutoCkptMemoryCap>1GiB</AutoCkptMemoryCap>
                <AutoCkptProfileOnBuild>true</AutoCkptProfileOnBuild>
                <AutoCkptUnits>b0.0;b1.0;b2</AutoCkptUnits>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="AutoCkpt.Runtime" Version="{Version}" />
                <PackageReference Include="AutoCkpt.MSBuild" Version="{Version}" PrivateAssets="all" />
                <PackageReference Include="libtorch-cpu-linux-x64" Version="2.10.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(App, "Targets.cs"), """
            using AutoCkpt;
            using TorchSharp;
            using static TorchSharp.torch;

            public sealed class TinyMlp : ICheckpointTarget
            {
                public string Name => "tiny-mlp";
                public int DefaultBatchSize => 16;
                public nn.Module<Tensor, Tensor> CreateModel(Device device) => nn.Sequential(
                    ("b0", nn.Sequential(nn.Linear(64, 64), nn.GELU())),
                    ("b1", nn.Sequential(nn.Linear(64, 64), nn.GELU())),
                    ("b2", nn.Linear(64, 8))).to(device);
                public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
                    (randn(batchSize, 64, device: device), randn(batchSize, 8, device: device));
                public Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target);
            }
            """);
        File.WriteAllText(Path.Combine(App, "Program.cs"), """
            using AutoCkpt;
            using TorchSharp;

            var target = new TinyMlp();
            var model = Checkpointing.Apply(target.CreateModel(torch.CPU));
            using (torch.NewDisposeScope())
            {
                var (x, y) = target.CreateBatch(torch.CPU, target.DefaultBatchSize);
                var loss = target.Loss(model.call(x), y);
                loss.backward();
                Console.WriteLine($"applied {Checkpointing.Applied(model)!.Segments.Count} segments from {Checkpointing.Applied(model)!.PlanFile}; loss {loss.item<float>():F4}");
                Console.WriteLine($"units {string.Join(',', Checkpointing.Applied(model)!.Units.Paths)}");
            }
            """);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

public sealed class PackageTests(PackedConsumer c) : IClassFixture<PackedConsumer>
{
    private static void Succeeded(BuildResult? step, BuildResult before) =>
        Assert.True(step?.ExitCode == 0, step?.ToString() ?? "an earlier step failed:\n" + before);

    [Fact]
    public void Given_the_repo_When_packed_Then_each_package_and_its_symbols_land_in_one_folder()
    {
        Assert.True(c.Pack.ExitCode == 0, c.Pack.ToString());
        // AutoCkpt.Tool only names its runtime packages (RID-specific tool, .NET 10): they hold the code and its symbols.
        foreach (string id in new[] { "AutoCkpt.Runtime", "AutoCkpt.Formats", "AutoCkpt.MSBuild", "AutoCkpt.Tool.linux-x64", "AutoCkpt.Tool.any" })
        {
            Assert.True(File.Exists(Path.Combine(c.Packages, $"{id}.{c.Version}.nupkg")), id);
            Assert.True(File.Exists(Path.Combine(c.Packages, $"{id}.{c.Version}.snupkg")), id + " symbols");
        }
        Assert.True(File.Exists(Path.Combine(c.Packages, $"AutoCkpt.Tool.{c.Version}.nupkg")), "AutoCkpt.Tool");
        // The tool's builds for a runtime stay out of the command line AutoCkpt.MSBuild carries (the plain build's output).
        using var msbuild = System.IO.Compression.ZipFile.OpenRead(Path.Combine(c.Packages, $"AutoCkpt.MSBuild.{c.Version}.nupkg"));
        Assert.Contains(msbuild.Entries, e => e.FullName == "tools/cli/autockpt.dll");
        Assert.DoesNotContain(msbuild.Entries, e => e.FullName.StartsWith("tools/cli/linux-x64/", StringComparison.Ordinal) || e.FullName.StartsWith("tools/cli/any/", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_the_tool_package_When_installed_on_linux_x64_Then_the_tool_is_the_ReadyToRun_one()
    {
        Succeeded(c.ToolInstall, c.Build ?? c.Pack);
        string tool = Path.Combine(c.Root, "nuget-packages", "autockpt.tool.linux-x64", c.Version, "tools", "net10.0", "linux-x64", "autockpt.dll");
        Assert.True(File.Exists(tool), tool);
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(tool));
        Assert.True(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, "autockpt.dll has no ReadyToRun header");
    }

    [Fact]
    public void Given_profile_on_build_and_no_profile_yet_When_the_fresh_project_builds_Then_the_build_profiles_the_units_AutoCkptUnits_names()
    {
        Succeeded(c.Build, c.Pack);
        Assert.Contains("AutoCkpt: profile written", c.Build!.Output);
        var profile = ProfileFile.Read(Path.Combine(c.App, "app.profile.yaml"));
        // Without the patterns the units would be the Sequential's children b0, b1, b2 (3 entries).
        Assert.Equal(("tiny-mlp", 7), (profile.Target, profile.Model.Stages));
        Assert.Equal(["(before b0.0)", "b0.0", "(after b0.0)", "b1.0", "(after b1.0)", "b2", "(after b2)"], profile.Stages.Select(s => s.Name));
    }

    [Fact]
    public void Given_the_new_profile_When_the_build_goes_on_Then_the_plan_for_it_is_made_beside_the_app()
    {
        Succeeded(c.Build, c.Pack);
        Assert.True(c.Build!.PlanTaskRan, c.Build.ToString());
        Assert.Equal(1L << 30, c.Plan?.MemoryCapBytes);
        Assert.Equal(ProfileFile.Read(Path.Combine(c.App, "app.profile.yaml")).Model.Fingerprint, c.Plan?.Model.Fingerprint);
    }

    [Fact]
    public void Given_the_built_app_When_it_runs_Then_it_applies_the_plan_it_finds_beside_itself_and_trains_a_step()
    {
        Succeeded(c.RunApp, c.Build ?? c.Pack);
        Assert.Matches(@"applied \d+ segments from .*autockpt\.plan\.yaml; loss \d", c.RunApp!.Output);
        Assert.Contains("units b0.0,b1.0,b2", c.RunApp.Output); // the plan's units, found by path: the app gives no patterns
    }

    [Fact]
    public void Given_the_tool_package_When_installed_as_a_local_tool_Then_dotnet_autockpt_plans()
    {
        Succeeded(c.ToolPlan, c.ToolInstall ?? c.Build ?? c.Pack);
        Assert.Equal(2L << 30, PlanFile.Read(Path.Combine(c.App, "tool.plan.yaml")).MemoryCapBytes);
    }
}
