using AutoCkpt.Formats.Profiles;
using AutoCkpt.Formats.Tests.Support;
using Xunit;
using static AutoCkpt.Formats.Tests.Support.Texts;

namespace AutoCkpt.Formats.Tests.Profiles;

/// <summary>
/// Numbers out of range get ACKPT021 naming the key: byte counts past 2^40 (so the planner's sums over at most
/// 10,000 stages cannot overflow a long, which gave uncoded overflows or negative peaks), times that are negative,
/// not finite, denormal or huge, and stage counts past 10,000.
/// </summary>
public sealed class ProfileBoundsTests
{
    [Theory]
    [InlineData("    output_bytes: 4096\n", "    output_bytes: 9223372036854775808\n", "stages[0].output_bytes is out of range")]
    [InlineData("    output_bytes: 4096\n", "    output_bytes: 99999999999999999999999\n", "stages[0].output_bytes is out of range")]
    [InlineData("    output_bytes: 4096\n", "    output_bytes: 1e400\n", "stages[0].output_bytes must be a whole number")]
    [InlineData("    retained_bytes: 8192\n", "    retained_bytes: 9223372036854775807\n", "stages[0].retained_bytes is 9223372036854775807 bytes, more than the 1099511627776")]
    [InlineData("    retained_bytes: 8192\n", "    retained_bytes: 1099511627777\n", "more than the 1099511627776")]
    [InlineData("parameters: 1000", "parameters: 4611686018427387904", "fixed_bytes.parameters is 4611686018427387904 bytes")]
    [InlineData("    forward_seconds: 0.001\n", "    forward_seconds: 5e-324\n", "stages[0].forward_seconds is 5e-324 seconds: a time must be 0 or from 1E-12 to 1000000")]
    [InlineData("    forward_seconds: 0.001\n", "    forward_seconds: 1e7\n", "stages[0].forward_seconds is 1e7 seconds")]
    [InlineData("    backward_seconds: 0.002\n", "    backward_seconds: 1e400\n", "stages[0].backward_seconds must be a number, not '1e400'")]
    [InlineData("    backward_seconds: 0.002\n", "    backward_seconds: .nan\n", "must be a number")]
    [InlineData("    backward_seconds: 0.002\n", "    backward_seconds: NaN\n", "must be a number")]
    [InlineData("stages: 2 }", "stages: 10001 }", "model.stages is 10001, more than the 10000")]
    [InlineData("batch_size: 16", "batch_size: 2147483648", "batch_size is 2147483648, more than the 2147483647")]
    public void Given_a_number_out_of_range_When_parsed_Then_ACKPT021_names_the_key(string line, string replacement, string says) =>
        AssertRefused(profile: true, ReplaceFirst(ProfileText(), line, replacement), says);

    [Fact]
    public void Given_a_bad_value_When_parsed_Then_the_error_names_its_line_and_column()
    {
        string text = ReplaceFirst(ProfileText(), "    retained_bytes: 8192\n", "    retained_bytes: -1\n");
        int line = text[..text.IndexOf("retained_bytes: -1", StringComparison.Ordinal)].Count(c => c == '\n') + 1;
        AssertRefused(profile: true, text, $"line {line}, column 21: stages[0].retained_bytes must not be negative");
    }

    [Fact]
    public void Given_a_negative_backward_freed_count_past_the_bound_When_parsed_Then_ACKPT021()
    {
        string text = ReplaceFirst(ProfileText(), "    backward_transient_bytes: 256\n", "    backward_transient_bytes: 256\n    backward_freed_bytes: -1099511627777\n");
        AssertRefused(profile: true, text, "stages[0].backward_freed_bytes is -1099511627777 bytes");
    }

    [Fact]
    public void Given_more_stages_than_the_bound_When_parsed_Then_ACKPT021_before_reading_them()
    {
        string stage = "  - { name: s, forward_seconds: 0, backward_seconds: 0, output_bytes: 1, retained_bytes: 1, forward_transient_bytes: 0, backward_transient_bytes: 0 }\n";
        string text = ProfileText(1).Split("stages:\n")[0] + "stages:\n" + string.Concat(Enumerable.Repeat(stage, FileLimits.MaxStages + 1));
        AssertRefused(profile: true, text, "stages has 10001 entries, more than the 10000");
    }

    [Fact]
    public void Given_every_count_at_its_bound_When_parsed_Then_it_reads_and_its_sums_do_not_overflow()
    {
        long max = FileLimits.MaxBytes;
        var p = Texts.Profile(3) with
        {
            FixedBytes = new FixedBytes(max, max, max, max),
            Stages = [.. Enumerable.Range(0, 3).Select(i => new StageProfile($"{i}", FileLimits.MaxStageSeconds, FileLimits.MinPositiveSeconds, max, max, max, max) { BackwardFreedBytes = -max, InputFreedBytes = max })],
        };
        var back = ProfileFile.Parse(ProfileFile.Format(p), FileName);
        Assert.Equal(p.Stages, back.Stages);
        Assert.Equal(4 * max, back.FixedBytes.Total);
        Assert.True((3.0 * FileLimits.MaxStages + 8) * FileLimits.MaxBytes < long.MaxValue, "the bound on sums in FileLimits' remarks");
    }
}
