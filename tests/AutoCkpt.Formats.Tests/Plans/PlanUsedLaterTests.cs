using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using Xunit;

namespace AutoCkpt.Formats.Tests.Plans;

/// <summary>
/// Format 2's <c>units[].output_used_later</c> (docs/profiler.md, "Outputs used later"): written where the profile says
/// so, read back, and a recompute segment that continues past such a unit (a hand-edited plan) is ACKPT017.
/// </summary>
public sealed class PlanUsedLaterTests
{
    private const string File = "unet.plan.yaml";

    private const string Example = """
        format: autockpt-plan/2
        target: suite-unet
        model: { fingerprint: "sha256:abc", stages: 6 }
        device: { type: cpu, name: "test" }
        batch_size: 16
        memory_cap_bytes: 32000000
        units:
          - { path: "(before down.0)", segment: 0, strategy: keep, tidy: false }
          - { path: "down.0", segment: 1, strategy: recompute, output_used_later: true }
          - { path: "down.1", segment: 2, strategy: recompute, output_used_later: true }
          - { path: "down.2", segment: 3, strategy: recompute, output_used_later: true }
          - { path: "down.3", segment: 4, strategy: recompute }
          - { path: "(after down.3)", segment: 5, strategy: keep, tidy: false }
        """;

    [Fact]
    public void Given_segments_that_end_at_the_skips_When_parsed_and_formatted_Then_the_flags_round_trip()
    {
        var plan = PlanFile.Parse(Example, File);
        Assert.Equal([false, true, true, true, false, false], Enumerable.Range(0, 6).Select(plan.IsUsedLater));
        string text = PlanFile.Format(plan);
        Assert.Contains("- { path: \"down.2\", segment: 3, strategy: recompute, output_used_later: true }", text);
        Assert.Equal(text, PlanFile.Format(PlanFile.Parse(text, File)));
        // A plan over the units alone (what the runtime applies) keeps them.
        Assert.Equal([true, true, true, false], Enumerable.Range(0, 4).Select(KeepOnlyEntries.Strip(plan, File).IsUsedLater));
    }

    [Fact]
    public void Given_a_hand_edited_segment_over_a_skip_When_parsed_Then_ACKPT017_names_the_unit_and_the_file()
    {
        string edited = Example.Replace("\"down.1\", segment: 2,", "\"down.1\", segment: 1,").Replace("segment: 3,", "segment: 2,")
            .Replace("segment: 4,", "segment: 3,").Replace("segment: 5,", "segment: 4,");
        var e = Assert.Throws<AckptException>(() => PlanFile.Parse(edited, File));
        Assert.Equal(ErrorCodes.SegmentPastUsedOutput, e.Code);
        Assert.Equal("ACKPT017", e.Code);
        Assert.Contains("'down.0'", e.Message);
        Assert.Contains("End the segment at 'down.0'", e.Message);
        Assert.Equal(File, e.File);
    }

    [Fact]
    public void Given_a_plan_object_over_a_skip_When_checked_Then_ACKPT017_and_a_kept_run_over_it_is_fine()
    {
        Segment[] over = [new(0, 2, SegmentStrategy.Recompute)], kept = [new(0, 2, SegmentStrategy.Keep)];
        Assert.Equal(ErrorCodes.SegmentPastUsedOutput, Assert.Throws<AckptException>(() => Plan.CheckUsedLater(over, [false, true, false], ["a", "b", "c"], null)).Code);
        Plan.CheckUsedLater(kept, [false, true, false], ["a", "b", "c"], null);
        Plan.CheckUsedLater(over, [false, false, true], ["a", "b", "c"], null); // the last unit may be used later: the segment ends there
    }
}
