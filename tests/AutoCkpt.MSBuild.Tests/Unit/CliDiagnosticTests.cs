using AutoCkpt.Formats;
using AutoCkpt.MSBuild.Cli;

namespace AutoCkpt.MSBuild.Tests.Unit;

public sealed class CliDiagnosticTests
{
    [Fact]
    public void Given_what_AckptException_prints_with_a_file_When_parsed_Then_code_file_and_message_round_trip()
    {
        var e = new AckptException(ErrorCodes.InfeasibleCap, "no plan fits 1 B: the smallest feasible peak is 9.64 MiB.", "/p/a b.profile.yaml");

        var d = CliDiagnostic.TryParse(e.ToString());

        Assert.Equal(new CliDiagnostic(true, "ACKPT040", "/p/a b.profile.yaml", 0, 0, e.Message), d);
    }

    [Fact]
    public void Given_what_AckptException_prints_without_a_file_When_parsed_Then_the_file_is_null()
    {
        var d = CliDiagnostic.TryParse(new AckptException(ErrorCodes.BadCap, "memory cap 'x' is not a size.").ToString());

        Assert.Equal(new CliDiagnostic(true, "ACKPT041", null, 0, 0, "memory cap 'x' is not a size."), d);
    }

    [Theory]
    [InlineData(@"C:\work\app.profile.yaml(3,7): warning ACKPT043: gap 1%", false, @"C:\work\app.profile.yaml", 3, 7)]
    [InlineData("p.yaml(9): error ACKPT021: bad", true, "p.yaml", 9, 0)]
    public void Given_a_canonical_line_with_a_position_When_parsed_Then_line_and_column_are_kept(string line, bool isError, string file, int l, int c)
    {
        var d = CliDiagnostic.TryParse(line)!;

        Assert.Equal((isError, file, l, c), (d.IsError, d.File, d.Line, d.Column));
    }

    [Theory]
    [InlineData("plan written to x.yaml")]
    [InlineData("error: something without a code")]
    [InlineData("Unhandled exception. System.Exception: error ACKPT")]
    public void Given_a_line_that_is_not_a_diagnostic_When_parsed_Then_null(string line)
    {
        Assert.Null(CliDiagnostic.TryParse(line));
    }
}
