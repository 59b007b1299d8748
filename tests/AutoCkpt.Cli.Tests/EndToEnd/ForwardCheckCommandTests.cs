using AutoCkpt.Formats.Errors;
using Xunit;

namespace AutoCkpt.Cli.Tests.EndToEnd;

/// <summary>
/// `autockpt profile` runs the forward check first: on a model whose stages are not its forward, a coded error, no
/// stack trace, no profile; on one whose stages are, the profile's header says what the check cost.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class ForwardCheckCommandTests(CliFixture cli)
{
    [Fact]
    public void Given_a_staged_model_with_a_scale_between_stages_When_profiled_Then_ACKPT035_names_the_stage_and_nothing_is_written()
    {
        string outFile = cli.ScratchFile("tiny-scaled.profile.yaml");
        var r = cli.Cli("profile", "--project", cli.TinyDll, "--target", "tiny-scaled", "--repeats", "1", "--out", outFile);

        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.True(r.Error.Contains($"error {ErrorCodes.StagesNotForward}:"), r.ToString());
        Assert.True(r.Error.Contains("they part at stage 'second' (position 2 of 2), whose input differs"), r.ToString());
        Assert.DoesNotContain("   at ", r.Error);
        Assert.DoesNotContain("warm-up", r.Out);
        Assert.False(File.Exists(outFile));
    }

    [Fact]
    public void Given_a_staged_model_that_passes_When_profiled_Then_the_header_says_what_the_forward_check_took()
    {
        string outFile = cli.ScratchFile("tiny-staged-check.profile.yaml");
        var r = cli.Cli("profile", "--project", cli.TinyDll, "--target", "tiny-staged", "--repeats", "1", "--out", outFile);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("profile: forward check", r.Out);
        Assert.Matches(@"^# measured .*training steps \(the forward check [0-9.]+ s, [0-9.]+ steps\); bytes and seconds$", File.ReadLines(outFile).ElementAt(1));
    }
}
