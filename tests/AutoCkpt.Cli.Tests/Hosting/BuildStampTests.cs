using System.Diagnostics;
using AutoCkpt.Cli.Hosting;
using Xunit;

namespace AutoCkpt.Cli.Tests.Hosting;

/// <summary>
/// No rebuild when nothing changed: <c>profile</c> and <c>bench</c> skip <c>dotnet build</c> while no input of the
/// project, of a project it references or of the build files above them changed since autockpt's last build.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class BuildStampTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("autockpt-stamp-").FullName;

    private string App => Path.Combine(_root, "App", "App.csproj");
    private string LibSource => Path.Combine(_root, "Lib", "Lib.cs");

    public BuildStampTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "App"));
        Directory.CreateDirectory(Path.Combine(_root, "Lib"));
        File.WriteAllText(Path.Combine(_root, "Lib", "Lib.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>");
        File.WriteAllText(LibSource, "public static class Lib { public static int Two => 2; }");
        File.WriteAllText(App, "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup>" +
            "<ItemGroup><ProjectReference Include=\"../Lib/Lib.csproj\" /></ItemGroup></Project>");
        File.WriteAllText(Path.Combine(_root, "App", "Program.cs"), "System.Console.WriteLine(Lib.Two);");
    }

    public void Dispose()
    {
        foreach (string config in new[] { "Release", "Debug" })
            if (File.Exists(BuildStamp.PathOf(App, config))) File.Delete(BuildStamp.PathOf(App, config));
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Given_a_project_built_by_autockpt_When_resolved_again_Then_it_is_not_rebuilt_and_a_referenced_projects_change_asks_for_a_build()
    {
        var first = new List<string>();
        var built = ProjectBuilder.Resolve(App, "Release", noBuild: false, first.Add);
        var second = new List<string>();
        var clock = Stopwatch.StartNew();
        var again = ProjectBuilder.Resolve(App, "Release", noBuild: false, second.Add);
        double skippedSeconds = clock.Elapsed.TotalSeconds;
        File.AppendAllText(LibSource, "\n// changed");
        // What the next call would do (not run: one real build keeps this test to seconds).
        string? why = BuildStamp.Read(App, "Release")!.WhyBuild(App, "Release");

        Assert.StartsWith($"building {App} (Release)", Assert.Single(first));
        Assert.StartsWith($"not building {App} (Release): up to date", Assert.Single(second));
        Assert.Equal(built, again);
        Assert.True(skippedSeconds < 2, $"the up-to-date check took {skippedSeconds:0.0} s");
        Assert.Equal($"'{LibSource}' changed since the last build", why);
    }

    [Fact]
    public void Given_a_stamp_When_a_build_file_above_the_project_is_newer_Then_a_build_is_needed_and_bin_obj_are_not_inputs()
    {
        string output = Path.Combine(_root, "App", "bin", "App.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        File.WriteAllText(output, "");
        var started = DateTime.UtcNow.AddSeconds(1);
        var stamp = new BuildStamp(App, "Release", BuildStamp.CurrentVersion, started, output, null, null, [Path.Combine(_root, "App")]);
        foreach (var f in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories)) File.SetLastWriteTimeUtc(f, started.AddSeconds(-10));
        string inBin = Path.Combine(_root, "App", "bin", "x.cache");
        File.WriteAllText(inBin, "");
        File.SetLastWriteTimeUtc(inBin, started.AddSeconds(5));

        Assert.Null(stamp.WhyBuild(App, "Release"));
        Assert.Equal("no build of this project and configuration by autockpt is recorded", stamp.WhyBuild(App, "Debug"));
        Assert.Contains("AutoCkpt old", (stamp with { Version = "old" }).WhyBuild(App, "Release"));

        string props = Path.Combine(_root, "Directory.Build.props");
        File.WriteAllText(props, "<Project />");
        File.SetLastWriteTimeUtc(props, started.AddSeconds(5));
        Assert.Equal($"'{props}' changed since the last build", stamp.WhyBuild(App, "Release"));

        File.Delete(props);
        File.Delete(output);
        Assert.Equal($"'{output}' is missing", stamp.WhyBuild(App, "Release"));
    }
}
