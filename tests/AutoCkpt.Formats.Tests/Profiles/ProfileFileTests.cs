using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;
using Xunit;

namespace AutoCkpt.Formats.Tests.Profiles;

public sealed class ProfileFileTests
{
    private const string File = "test.profile.yaml";

    private static Profile Sample() => new()
    {
        Target = "mlp",
        Model = new ModelInfo("sha256:abc", 2),
        Device = new DeviceInfo("cpu", "2-core CPU"),
        Dtype = "float64",
        BatchSize = 16,
        FixedBytes = new FixedBytes(1000, 1000, 2000, 64),
        Stages =
        [
            new StageProfile("0", 0.001, 0.002, 4096, 8192, 128, 256) { BackwardFreedBytes = -512 },
            new StageProfile("1", 0.25, 0.5, 4096, 4096, 0, 0),
        ],
        Check = new ProfileCheck(12288, 0.8),
    };

    [Fact]
    public void Given_a_profile_When_formatted_and_parsed_Then_it_round_trips()
    {
        var profile = Sample();
        string text = ProfileFile.Format(profile, "header");
        var back = ProfileFile.Parse(text, File);
        Assert.Equal(profile.Target, back.Target);
        Assert.Equal(profile.Model, back.Model);
        Assert.Equal(profile.Device, back.Device);
        Assert.Equal(profile.Dtype, back.Dtype);
        Assert.Equal(profile.BatchSize, back.BatchSize);
        Assert.Equal(profile.FixedBytes, back.FixedBytes);
        Assert.Equal(profile.Stages, back.Stages);
        Assert.Equal(profile.Check, back.Check);
        Assert.Equal(text, ProfileFile.Format(back, "header"));
    }

    [Fact]
    public void Given_a_measured_step_time_When_formatted_and_parsed_Then_it_round_trips_and_a_profile_without_it_reads_null()
    {
        var profile = Sample() with { StepTime = new StepTimeFigures(0.75, 0.0011) };
        string text = ProfileFile.Format(profile);
        Assert.Contains("step_time: { step_seconds: 0.75, recompute_segment_seconds: 0.0011 }", text);
        Assert.Equal(profile.StepTime, ProfileFile.Parse(text, File).StepTime);
        Assert.Null(ProfileFile.Parse(ProfileFile.Format(Sample()), File).StepTime);
        var bad = Assert.Throws<AckptException>(() => ProfileFile.Parse(text.Replace("recompute_segment_seconds: 0.0011", "recompute_segment_seconds: -1"), File));
        Assert.Equal(ErrorCodes.ProfileMalformed, bad.Code);
    }

    [Fact]
    public void Given_a_per_unit_recompute_cost_When_formatted_and_parsed_Then_it_round_trips_and_an_older_step_time_reads_zero()
    {
        var profile = Sample() with { StepTime = new StepTimeFigures(0.75, 0.0011, 0.0004) };
        string text = ProfileFile.Format(profile);
        Assert.Contains("step_time: { step_seconds: 0.75, recompute_segment_seconds: 0.0011, recompute_unit_seconds: 0.0004 }", text);
        Assert.Equal(profile.StepTime, ProfileFile.Parse(text, File).StepTime);
        string older = text.Replace(", recompute_unit_seconds: 0.0004", "");
        Assert.Equal(new StepTimeFigures(0.75, 0.0011), ProfileFile.Parse(older, File).StepTime);
        var bad = Assert.Throws<AckptException>(() => ProfileFile.Parse(text.Replace("recompute_unit_seconds: 0.0004", "recompute_unit_seconds: -1"), File));
        Assert.Equal(ErrorCodes.ProfileMalformed, bad.Code);
    }

    [Fact]
    public void Given_a_stage_without_backward_freed_bytes_When_parsed_Then_it_defaults_to_zero()
    {
        var back = ProfileFile.Parse(ProfileFile.Format(Sample()), File);
        Assert.Equal(-512, back.Stages[0].BackwardFreedBytes);
        Assert.Equal(0, back.Stages[1].BackwardFreedBytes);
        Assert.DoesNotContain("backward_freed_bytes: 0", ProfileFile.Format(Sample()));
    }

    [Fact]
    public void Given_a_written_profile_When_read_Then_it_is_the_same_profile()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("autockpt-profile-").FullName, "p.yaml");
        ProfileFile.Write(path, Sample());
        Assert.Equal(Sample().Stages, ProfileFile.Read(path).Stages);
    }

    [Fact]
    public void Given_no_file_When_read_Then_ACKPT020()
    {
        var e = Assert.Throws<AckptException>(() => ProfileFile.Read("/nonexistent/p.yaml"));
        Assert.Equal(ErrorCodes.ProfileMissing, e.Code);
        Assert.Equal("/nonexistent/p.yaml", e.File);
    }

    [Theory]
    [InlineData("format: autockpt-profile/1\nstages: [\n")]
    [InlineData("just a string\n")]
    public void Given_malformed_yaml_When_parsed_Then_ACKPT021(string text) =>
        AssertError(ErrorCodes.ProfileMalformed, text);

    [Fact]
    public void Given_an_unknown_format_When_parsed_Then_ACKPT022() =>
        AssertError(ErrorCodes.ProfileUnknownFormat, Text().Replace("autockpt-profile/1", "autockpt-profile/7"), "autockpt-profile/7");

    [Theory]
    [InlineData("    output_bytes: 4096\n", "stages[0].output_bytes is missing")]
    [InlineData("batch_size: 16\n", "batch_size is missing")]
    public void Given_a_missing_key_When_parsed_Then_ACKPT021_names_it(string line, string says) =>
        AssertError(ErrorCodes.ProfileMalformed, ReplaceFirst(Text(), line, ""), says);

    [Theory]
    [InlineData("    retained_bytes: 8192\n", "    retained_bytes: -8192\n", "stages[0].retained_bytes must not be negative")]
    [InlineData("    forward_seconds: 0.25\n", "    forward_seconds: -0.25\n", "stages[1].forward_seconds must not be negative")]
    [InlineData("optimizer_state: 2000", "optimizer_state: -1", "fixed_bytes.optimizer_state must not be negative")]
    [InlineData("batch_size: 16", "batch_size: 0", "batch_size must be positive")]
    [InlineData("    output_bytes: 4096\n", "    output_bytes: 4.5\n", "whole number of bytes")]
    public void Given_a_bad_value_When_parsed_Then_ACKPT021_names_it(string line, string replacement, string says) =>
        AssertError(ErrorCodes.ProfileMalformed, ReplaceFirst(Text(), line, replacement), says);

    [Fact]
    public void Given_a_stage_count_that_disagrees_with_the_list_When_parsed_Then_ACKPT021() =>
        AssertError(ErrorCodes.ProfileMalformed, Text().Replace("stages: 2 }", "stages: 3 }"), "model.stages says 3");

    private static string Text() => ProfileFile.Format(Sample());

    private static string ReplaceFirst(string text, string find, string replacement)
    {
        int i = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(i >= 0, $"'{find}' not in the sample");
        return text[..i] + replacement + text[(i + find.Length)..];
    }

    private static void AssertError(string code, string text, string? says = null)
    {
        var e = Assert.Throws<AckptException>(() => ProfileFile.Parse(text, File));
        Assert.Equal(code, e.Code);
        Assert.Equal(File, e.File);
        if (says is not null) Assert.Contains(says, e.Message);
    }
}
