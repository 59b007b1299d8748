using AutoCkpt.Formats.Plans;
using Xunit;
using static AutoCkpt.Formats.Tests.Support.Texts;

namespace AutoCkpt.Formats.Tests.Plans;

/// <summary>
/// A plan's byte counts are caps and predicted sums, never summed again: any long that is not negative reads; past
/// long, ACKPT002. Times and stage counts are bounded as in profiles.
/// </summary>
public sealed class PlanBoundsTests
{
    [Fact]
    public void Given_the_largest_long_cap_When_parsed_Then_it_reads() =>
        Assert.Equal(long.MaxValue, PlanFile.Parse(PlanText().Replace("memory_cap_bytes: 1000000", "memory_cap_bytes: 9223372036854775807"), FileName).MemoryCapBytes);

    [Theory]
    [InlineData("memory_cap_bytes: 1000000", "memory_cap_bytes: 9223372036854775808", "memory_cap_bytes is out of range")]
    [InlineData("memory_cap_bytes: 1000000", "memory_cap_bytes: 1e19", "memory_cap_bytes is out of range")]
    [InlineData("headroom_bytes: 20000", "headroom_bytes: -9223372036854775809", "headroom_bytes is out of range")]
    [InlineData("stages: 2 }", "stages: 10001 }", "model.stages is 10001, more than the 10000")]
    [InlineData("{ first: 0, last: 0,", "{ first: 0, last: 2147483648,", "segments[0].last is 2147483648")]
    public void Given_a_number_out_of_range_When_parsed_Then_ACKPT002_names_the_key(string line, string replacement, string says) =>
        AssertRefused(profile: false, ReplaceFirst(PlanText(), line, replacement), says);

    [Fact]
    public void Given_a_denormal_predicted_time_When_parsed_Then_ACKPT002()
    {
        string text = PlanText().Replace("headroom_bytes: 20000\n", "headroom_bytes: 20000\npredicted: { peak_bytes: 1, step_seconds: 4.9e-324, recompute_seconds: 0 }\n");
        AssertRefused(profile: false, text, "predicted.step_seconds is 4.9e-324 seconds");
    }

    [Fact]
    public void Given_more_baselines_than_the_bound_When_parsed_Then_ACKPT002_before_reading_them()
    {
        // Found by the fuzzer: 30,000 baselines took a minute to show.
        string baselines = "baselines:\n" + string.Concat(Enumerable.Repeat("  - { name: none, peak_bytes: 1, step_seconds: 1 }\n", FileLimits.MaxListEntries + 1));
        AssertRefused(profile: false, PlanText().Replace("segments:\n", baselines + "segments:\n"), "baselines has 1001 entries, more than the 1000");
    }
}
