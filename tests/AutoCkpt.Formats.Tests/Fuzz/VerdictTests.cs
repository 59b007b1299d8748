using AutoCkpt.Fuzz.Running;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Formats.Tests.Fuzz;

/// <summary>The fuzzer's judge: what it counts as a crash, a hang, a stack trace or an uncoded error.</summary>
public sealed class VerdictTests
{
    [Theory]
    [InlineData(0, "wrote out.plan.yaml", "", "Valid")]
    [InlineData(1, "", "p.yaml: error ACKPT021: stages[0].name is missing.", "CodedError: ACKPT021")]
    [InlineData(134, "", "Stack overflow.\n   at YamlDotNet.RepresentationModel.YamlNode.ParseNode(IParser parser)", "Crash: stack overflow")]
    [InlineData(134, "", "Unhandled exception. System.InvalidOperationException: Expected 'MappingEnd'\n   at X.Y()", "Crash: unhandled System.InvalidOperationException")]
    [InlineData(1, "", "Unhandled exception. System.OverflowException: Arithmetic operation resulted in an overflow.", "StackTrace: unhandled System.OverflowException")]
    [InlineData(1, "oops\n   at AutoCkpt.Cli.Program.Main(String[] args)", "error ACKPT002: x", "StackTrace: oops")]
    [InlineData(1, "", "something went wrong", "Uncoded")]
    [InlineData(137, "", "", "Crash: ")]
    public void Given_a_child_result_When_judged_Then_its_class(int exit, string stdout, string stderr, string expected) =>
        Assert.Equal(expected, Verdicts.Of(new ProcessResult("test", exit, stdout, stderr, 0.1)).Class);

    [Fact]
    public void Given_a_child_killed_at_the_timeout_When_judged_Then_a_hang() =>
        Assert.Equal(Verdict.Hang, Verdicts.Of(new ProcessResult("test", null, "", "", 30)).Verdict);

    [Fact]
    public void Given_a_child_that_dies_of_an_unhandled_exception_When_run_Then_the_fuzzer_survives_and_sees_a_crash()
    {
        // A real abort in a real child process: the fuzzer's own plan reader, pointed at an AutoCkpt.Formats that does
        // not exist, dies of an unhandled FileNotFoundException in the child only.
        string folder = Directory.CreateTempSubdirectory("autockpt-verdict-").FullName;
        var r = DotnetChild.Run(Path.Combine(AppContext.BaseDirectory, "AutoCkpt.Fuzz.dll"), ["read-plan", "x.yaml", Path.Combine(folder, "missing.dll")], folder, TimeSpan.FromSeconds(60));
        Assert.Equal(Verdict.Crash, Verdicts.Of(r).Verdict);
        Directory.Delete(folder, recursive: true);
    }
}
