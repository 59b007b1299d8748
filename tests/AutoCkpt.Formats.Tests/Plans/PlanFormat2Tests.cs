using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using Xunit;

namespace AutoCkpt.Formats.Tests.Plans;

/// <summary>Plan format 2: units by module path, segment numbers, tidy flags; format 1 still reads.</summary>
public sealed class PlanFormat2Tests
{
    private const string File = "test.plan.yaml";

    private const string Example = """
        format: autockpt-plan/2
        target: gpt2-tiny
        model: { fingerprint: "sha256:abc", stages: 4 }
        device: { type: cpu, name: "test" }
        batch_size: 8
        memory_cap_bytes: 8000000000
        headroom_bytes: 160000000
        units:
          - { path: "embeddings", segment: 0, strategy: keep, tidy: true }
          - { path: "blocks.0", segment: 1, strategy: recompute }
          - { path: "blocks.1", segment: 1, strategy: recompute }
          - { path: "blocks.2", segment: 2, strategy: keep, tidy: false }
        """;

    [Fact]
    public void Given_the_documented_example_When_parsed_Then_units_segments_and_tidy_flags_are_read()
    {
        var plan = PlanFile.Parse(Example, File);
        Assert.Equal(Plan.FormatTag, plan.Format);
        Assert.Equal([new Segment(0, 0, SegmentStrategy.Keep), new Segment(1, 2, SegmentStrategy.Recompute), new Segment(3, 3, SegmentStrategy.Keep)], plan.Segments);
        Assert.Equal(["embeddings", "blocks.0", "blocks.1", "blocks.2"], plan.UnitPaths);
        Assert.Equal([true, false, false, false], plan.TidyUnits);
        Assert.Equal(new PlanUnit("blocks.1", 1, SegmentStrategy.Recompute, false), plan.Units[2]);
    }

    [Fact]
    public void Given_a_format_2_plan_When_formatted_and_parsed_Then_it_round_trips_as_format_2()
    {
        var plan = PlanFile.Parse(Example, File);
        string text = PlanFile.Format(plan);
        Assert.Contains("format: autockpt-plan/2\n", text);
        Assert.Contains("- { path: \"embeddings\", segment: 0, strategy: keep, tidy: true }", text);
        var back = PlanFile.Parse(text, File);
        Assert.Equal(plan.Segments, back.Segments);
        Assert.Equal(plan.UnitPaths, back.UnitPaths);
        Assert.Equal(plan.TidyUnits, back.TidyUnits);
        Assert.Equal(text, PlanFile.Format(back));
    }

    [Fact]
    public void Given_a_format_1_plan_When_read_Then_it_means_what_it_meant_no_unit_is_tidy()
    {
        var plan = PlanFile.Parse("""
            format: autockpt-plan/1
            target: t
            model: { fingerprint: "sha256:abc", stages: 3 }
            device: { type: cpu, name: "" }
            batch_size: 8
            memory_cap_bytes: 1000
            segments:
              - { first: 0, last: 1, strategy: recompute }
              - { first: 2, last: 2, strategy: keep }
            """, File);
        Assert.Equal(Plan.FormatTag1, plan.Format);
        Assert.Empty(plan.UnitPaths);
        Assert.Equal(0, plan.TidyCount);
        Assert.False(plan.IsTidy(2));
        Assert.Contains("format: autockpt-plan/1\n", PlanFile.Format(plan)); // no paths to write format 2 with
    }

    [Theory]
    [InlineData("segment: 2, strategy: keep, tidy: false", "segment: 3, strategy: keep, tidy: false", "segment numbers run 0, 1, 2")]
    [InlineData("\"embeddings\", segment: 0", "\"embeddings\", segment: 1", "expected 0")]
    [InlineData("\"blocks.1\", segment: 1, strategy: recompute", "\"blocks.1\", segment: 1, strategy: keep", "a segment has one strategy")]
    [InlineData("\"blocks.0\", segment: 1, strategy: recompute }", "\"blocks.0\", segment: 1, strategy: recompute, tidy: true }", "only a kept unit can be tidy")]
    [InlineData("stages: 4", "stages: 5", "one unit per stage")]
    [InlineData("\"blocks.1\"", "\"blocks.0\"", "listed before it")]
    public void Given_bad_units_When_parsed_Then_ACKPT004_says_what_is_wrong(string line, string replacement, string says) =>
        AssertError(ErrorCodes.PlanBadSegments, Example.Replace(line, replacement), says);

    [Theory]
    [InlineData("tidy: true", "tidy: yes", "tidy")]
    [InlineData("path: \"embeddings\", ", "", "path is missing")]
    [InlineData("path: \"embeddings\"", "path: \"\"", "path")]
    public void Given_a_malformed_unit_When_parsed_Then_ACKPT002_names_the_key(string line, string replacement, string says) =>
        AssertError(ErrorCodes.PlanMalformed, Example.Replace(line, replacement), says);

    [Fact]
    public void Given_a_unit_with_an_unknown_strategy_When_parsed_Then_ACKPT009() =>
        AssertError(ErrorCodes.PlanUnknownStrategy, Example.Replace("strategy: keep, tidy: false", "strategy: offload"), "offload");

    [Fact]
    public void Given_a_tidy_plan_without_unit_paths_When_formatted_Then_it_is_refused()
    {
        var plan = PlanFile.Parse(Example, File) with { UnitPaths = [] };
        Assert.Throws<ArgumentException>(() => PlanFile.Format(plan));
    }

    private static void AssertError(string code, string text, string says)
    {
        var e = Assert.Throws<AckptException>(() => PlanFile.Parse(text, File));
        Assert.Equal(code, e.Code);
        Assert.Equal(File, e.File);
        Assert.Contains(says, e.Message);
    }
}
