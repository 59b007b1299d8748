using AutoCkpt.Cli.Hosting;
using AutoCkpt.Formats.Errors;
using Xunit;

namespace AutoCkpt.Cli.Tests.Hosting;

/// <summary>--no-build: the project is evaluated, not built, and an output that is not there is a coded error.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ProjectBuilderTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("autockpt-nobuild-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string WriteProject()
    {
        string project = Path.Combine(folder, "App.csproj");
        File.WriteAllText(project, "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>");
        return project;
    }

    [Fact]
    public void No_build_of_an_unbuilt_project_says_to_build_it_first_and_builds_nothing()
    {
        string project = WriteProject();
        var log = new List<string>();

        var e = Assert.Throws<AckptException>(() => ProjectBuilder.Resolve(project, "Release", noBuild: true, log.Add));

        Assert.Equal(ErrorCodes.ProjectMissing, e.Code);
        Assert.Equal(project, e.File);
        Assert.Contains("dotnet build -c Release", e.Message);
        Assert.Contains("drop --no-build", e.Message);
        Assert.Contains(Path.Combine(folder, "bin", "Release", "net10.0", "App.dll"), e.Message);
        Assert.False(Directory.Exists(Path.Combine(folder, "bin")), "--no-build built the project");
        Assert.False(Directory.Exists(Path.Combine(folder, "obj")), "--no-build restored the project");
    }

    [Fact]
    public void No_build_looks_in_the_configuration_given()
    {
        string project = WriteProject();

        var e = Assert.Throws<AckptException>(() => ProjectBuilder.Resolve(project, "Debug", noBuild: true, _ => { }));

        Assert.Contains(Path.Combine(folder, "bin", "Debug", "net10.0", "App.dll"), e.Message);
        Assert.Contains("dotnet build -c Debug", e.Message);
    }

    [Fact]
    public void The_profile_command_reports_it_as_a_coded_error_on_the_project()
    {
        string project = WriteProject();
        using var cli = new CliHarness();

        var (exit, _, err) = cli.Run("profile", "--project", project, "--no-build");

        Assert.Equal(1, exit);
        Assert.Contains($"{project}: error ACKPT030: --no-build:", err);
    }
}
