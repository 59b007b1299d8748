using AutoCkpt.MSBuild.Tests.Support;

namespace AutoCkpt.MSBuild.Tests.EndToEnd;

/// <summary>
/// A user's app outside the repo that references src/Runtime by ProjectReference (so it imports none of the package's
/// build files), restored into a fresh, empty package folder (NUGET_PACKAGES), so that TorchSharp's
/// libLibTorchSharp.so is extracted anew, unpatched, as on a machine that never built AutoCkpt. Built and run, it must
/// load TorchSharp: on Debian 12 the unpatched library fails with "version `GLIBCXX_3.4.32' not found". The app
/// references a copy of the repo's build files, src/Runtime and src/Formats (a fresh clone, as a user has): a restore
/// of this worktree's own src/Runtime against another package folder would race with the other tests' builds.
/// Packages come from the machine's package folder used as a local source (the repo's build put them there), so nothing
/// needs the network.
/// </summary>
public sealed class ProjectReferenceConsumer : IDisposable
{
    public ProjectReferenceConsumer()
    {
        CopyRepo();
        WriteApp();
        var env = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Packages };
        Build = SampleProject.Run(App, "dotnet", ["build", "app.csproj", "-nodeReuse:false", "-tl:off", "-v:n", "-clp:NoSummary", "-p:MinVerSkip=true"], env);
        if (Build.ExitCode != 0) return;
        RunApp = SampleProject.Run(App, "dotnet", ["exec", Path.Combine(App, "bin", "Debug", "net10.0", "app.dll")], env);
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "autockpt-msbuild-tests", "projref-" + Guid.NewGuid().ToString("N")[..12]);
    public string Repo => Path.Combine(Root, "repo");
    public string App => Path.Combine(Root, "app");
    public string Packages => Path.Combine(Root, "nuget-packages");
    public BuildResult Build { get; }
    public BuildResult? RunApp { get; }

    /// <summary>The machine's package folder, which the repo's own restore filled.</summary>
    private static string MachinePackages =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private void CopyRepo()
    {
        foreach (string file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json" })
            Copy(Path.Combine(RepoPaths.Root, file), Path.Combine(Repo, file));
        foreach (string project in new[] { "Runtime", "Formats" })
        {
            string from = Path.Combine(RepoPaths.Root, "src", project);
            foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            {
                string rel = Path.GetRelativePath(from, file);
                if (rel.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || rel.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)) continue;
                Copy(file, Path.Combine(Repo, "src", project, rel));
            }
        }
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to);
    }

    private void WriteApp()
    {
        Directory.CreateDirectory(App);
        Directory.CreateDirectory(Packages);
        // For the app and the repo copy: the machine's package folder as the only source (a folder laid out as
        // id/version/id.version.nupkg is a feed), no fallback folder, the fresh folder as the package folder.
        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <configuration>
              <config><add key="globalPackagesFolder" value="{Packages}" /></config>
              <packageSources>
                <clear />
                <add key="machine" value="{MachinePackages}" />
              </packageSources>
              <fallbackPackageFolders><clear /></fallbackPackageFolders>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(App, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{Path.Combine(Repo, "src", "Runtime", "AutoCkpt.Runtime.csproj")}" />
                <PackageReference Include="libtorch-cpu-linux-x64" Version="2.10.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(App, "Program.cs"), """
            using TorchSharp;

            var t = torch.ones(2, 3);
            Console.WriteLine($"tensor sum {t.sum().item<float>()} with {typeof(AutoCkpt.Checkpointing).Assembly.GetName().Name}");
            """);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

public sealed class ProjectReferenceConsumerTests(ProjectReferenceConsumer c) : IClassFixture<ProjectReferenceConsumer>
{
    [Fact]
    public void Given_a_ProjectReference_to_src_Runtime_and_a_clean_package_folder_When_the_app_builds_and_runs_Then_TorchSharp_loads()
    {
        Assert.True(c.Build.ExitCode == 0, c.Build.ToString());
        string native = Path.Combine(c.Packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(native), $"TorchSharp was not restored into the fresh package folder {c.Packages}");
        Assert.True(c.RunApp?.ExitCode == 0, c.RunApp?.ToString());
        Assert.Contains("tensor sum 6 with AutoCkpt.Runtime", c.RunApp!.Output);
        Assert.Contains($"AutoCkpt: marked GLIBCXX_3.4.32 weak in {native}", c.Build.Output);
    }
}
