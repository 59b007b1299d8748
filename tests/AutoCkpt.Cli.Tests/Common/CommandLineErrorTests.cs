using System.CommandLine;
using AutoCkpt.Cli.Common;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Cli.Tests.Common;

/// <summary>
/// Options out of range and System.CommandLine's own parse errors, for every command, in this process: each is one
/// "error ACKPTnnn: message" line with exit code 1, no stack trace, and nothing written.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class CommandLineErrorTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public CommandLineErrorTests() => _cli.WriteProfile(profile: TestProfiles.Uniform(6));

    public void Dispose() => _cli.Dispose();

    private void AssertCoded(string code, string text, params string[] args)
    {
        var (exit, output, err) = _cli.Run(args);
        Assert.True(exit == 1, $"exit {exit}: {output}{err}");
        Assert.Contains($"error {code}: ", err);
        Assert.Contains(text, err);
        Assert.DoesNotContain("   at ", err);
        Assert.DoesNotContain("error ACKPT080: error ACKPT080", err);
        Assert.Equal(["model.profile.yaml"], Directory.GetFileSystemEntries(_cli.Folder).Select(Path.GetFileName));
    }

    private string[] Plan(params string[] extra) => ["plan", "--profile", "model.profile.yaml", "--memory-cap", "90%", "--out", "new/sub/m.plan.yaml", .. extra];

    [Theory]
    [InlineData("1e12")]
    [InlineData("604801")]
    [InlineData("1e308")]
    [InlineData("NaN")]
    [InlineData("-1")]
    [InlineData("0")]
    public void Given_a_time_limit_out_of_range_When_planned_Then_ACKPT044(string limit) =>
        AssertCoded(ErrorCodes.BadPlannerOption, "--time-limit", Plan("--time-limit", limit));

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("99999999999")]
    [InlineData("two")]
    public void Given_a_max_segment_out_of_range_When_planned_Then_ACKPT044(string max) =>
        AssertCoded(ErrorCodes.BadPlannerOption, "--max-segment", Plan("--max-segment", max));

    [Theory]
    [InlineData("1e19", "out of range")]
    [InlineData("2EiB", "unknown unit")]
    [InlineData("0.5", "out of range")]
    [InlineData("2000000%", "out of range")]
    [InlineData("20 XB", "unknown unit")]
    [InlineData("", "not a size")]
    [InlineData("-20%", "not a size")]
    public void Given_a_cap_out_of_range_or_of_an_unknown_unit_When_planned_Then_ACKPT041(string cap, string text) =>
        AssertCoded(ErrorCodes.BadCap, text, ["plan", "--profile", "model.profile.yaml", "--memory-cap", cap, "--out", "new/sub/m.plan.yaml"]);

    [Theory]
    [InlineData("100%")]
    [InlineData("1e400%")]
    [InlineData("-1")]
    [InlineData("1 parsec")]
    public void Given_a_headroom_out_of_range_When_planned_Then_ACKPT041(string headroom) =>
        AssertCoded(ErrorCodes.BadCap, "headroom", Plan("--headroom", headroom));

    [Fact]
    public void Given_a_cap_with_a_space_before_its_unit_When_planned_Then_it_is_accepted_and_the_plan_says_how_to_remake_it()
    {
        var (exit, _, err) = _cli.Run("plan", "--profile", "model.profile.yaml", "--memory-cap", "200 MiB", "--headroom", "1 MiB", "--out", "m.plan.yaml");
        Assert.True(exit == 0, err);
        var plan = PlanFile.Read(_cli.PathOf("m.plan.yaml"));
        Assert.Equal(200L * 1024 * 1024, plan.MemoryCapBytes);
        Assert.Equal(1024L * 1024, plan.HeadroomBytes);
        Assert.Contains("--memory-cap \"200 MiB\" --headroom \"1 MiB\"", File.ReadAllText(_cli.PathOf("m.plan.yaml")));
    }

    [Theory]
    [InlineData("", "--out is empty")]
    [InlineData(" ", "--out is empty")]
    [InlineData("a\0b", "NUL")]
    public void Given_an_output_path_that_is_no_path_When_planned_Then_ACKPT080(string path, string text) =>
        AssertCoded(ErrorCodes.BadArgument, text, ["plan", "--profile", "model.profile.yaml", "--memory-cap", "90%", "--out", path]);

    [Theory]
    [InlineData("new/")]
    [InlineData(".")]
    public void Given_an_output_path_that_is_a_folder_When_planned_Then_ACKPT029(string path) =>
        AssertCoded(ErrorCodes.OutputNotWritable, "folder", ["plan", "--profile", "model.profile.yaml", "--memory-cap", "90%", "--out", path]);

    [Fact]
    public void Given_an_output_path_under_a_file_When_planned_Then_ACKPT029_names_the_file()
    {
        File.WriteAllText(_cli.PathOf("afile"), "x");
        var (exit, _, err) = _cli.Run("plan", "--profile", "model.profile.yaml", "--memory-cap", "90%", "--out", "afile/sub/m.plan.yaml");
        Assert.Equal(1, exit);
        Assert.Contains("error ACKPT029: ", err);
        Assert.Contains("is a file, not a folder", err);
    }

    [Theory]
    [InlineData("an option the command does not have", "plan", "--profile", "model.profile.yaml", "--memory-cap", "90%", "--bogus")]
    [InlineData("a required option left out", "plan", "--profile", "model.profile.yaml")]
    [InlineData("an option without its value", "plan", "--profile", "model.profile.yaml", "--memory-cap")]
    [InlineData("a response file that does not exist", "plan", "--profile", "@missing.rsp", "--memory-cap", "90%")]
    [InlineData("no argument", "show")]
    [InlineData("a command that does not exist", "shwo", "x")]
    [InlineData("a repeat count that is not a number", "profile", "--project", "x.csproj", "--repeats", "abc")]
    [InlineData("a repeat count of 0", "profile", "--project", "x.csproj", "--repeats", "0")]
    [InlineData("a repeat count past 1000", "profile", "--project", "x.csproj", "--repeats", "1001")]
    [InlineData("a batch size of 0", "profile", "--project", "x.csproj", "--batch-size", "0")]
    [InlineData("a batch size past int", "profile", "--project", "x.csproj", "--batch-size", "99999999999")]
    [InlineData("a device that does not exist", "profile", "--project", "x.csproj", "--device", "tpu")]
    [InlineData("a step count of 0", "bench", "--project", "x.csproj", "--plan", "p.yaml", "--steps", "0")]
    [InlineData("a step count past 10000", "bench", "--project", "x.csproj", "--plan", "p.yaml", "--steps", "10001")]
    [InlineData("a negative batch size", "bench", "--project", "x.csproj", "--plan", "p.yaml", "--batch-size", "-4")]
    public void Given_a_command_line_System_CommandLine_rejects_When_run_Then_each_error_is_ACKPT080_and_nothing_runs(string why, params string[] args)
    {
        var (exit, output, err) = _cli.Run(args);
        Assert.True(exit == 1, $"{why}: exit {exit}: {output}{err}");
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length >= 2, why);
        Assert.All(lines[..^1], l => Assert.StartsWith("error ACKPT080: ", l));
        Assert.StartsWith("Run 'autockpt", lines[^1]);
        Assert.DoesNotContain("error ACKPT080: error", err);
        Assert.Equal(["model.profile.yaml"], Directory.GetFileSystemEntries(_cli.Folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Given_help_When_asked_Then_it_is_printed_and_no_error()
    {
        var (exit, output, err) = _cli.Run("plan", "--help");
        Assert.True(exit == 0, err);
        Assert.Contains("--memory-cap", output);
    }

    [Fact]
    public void Given_a_command_that_fails_unexpectedly_When_run_Then_ACKPT082_names_the_exception_without_a_stack_trace()
    {
        var root = new RootCommand();
        var boom = new Command("boom");
        boom.SetAction(new Func<ParseResult, int>(_ => throw new InvalidOperationException("a bug\nsecond line")));
        root.Subcommands.Add(boom);
        var (oldErr, err) = (Console.Error, new StringWriter());
        try
        {
            Console.SetError(err);
            Assert.Equal(1, CommandLineRun.Invoke(root, ["boom"]));
        }
        finally
        {
            Console.SetError(oldErr);
        }
        string text = err.ToString();
        Assert.StartsWith("error ACKPT082: autockpt failed unexpectedly (InvalidOperationException: a bug second line)", text);
        Assert.DoesNotContain("   at ", text);
    }
}
