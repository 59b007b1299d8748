using AutoCkpt.Cli.Commands;
using Xunit;

namespace AutoCkpt.Cli.Tests.Commands;

/// <summary>profile and bench build the same way: the same configuration by default, the same options.</summary>
public sealed class BuildOptionsTests
{
    [Fact]
    public void Profile_and_bench_default_to_the_same_configuration_Release()
    {
        var profile = ProfileCommand.Create().Parse(["--project", "app.csproj"]);
        var bench = BenchCommand.Create().Parse(["--project", "app.csproj", "--plan", "p.yaml"]);

        Assert.Empty(profile.Errors);
        Assert.Empty(bench.Errors);
        Assert.Equal("Release", profile.GetValue<string>("--configuration"));
        Assert.Equal("Release", bench.GetValue<string>("--configuration"));
    }

    [Fact]
    public void A_configuration_given_is_used_by_both()
    {
        var profile = ProfileCommand.Create().Parse(["--project", "app.csproj", "-c", "Debug"]);
        var bench = BenchCommand.Create().Parse(["--project", "app.csproj", "--plan", "p.yaml", "-c", "Debug"]);

        Assert.Equal("Debug", profile.GetValue<string>("--configuration"));
        Assert.Equal("Debug", bench.GetValue<string>("--configuration"));
    }
}
