using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using Xunit;

namespace AutoCkpt.Formats.Tests.Plans;

/// <summary>Multi-level recompute segments in plan format 2: the units' <c>inner</c> key, its rules, older files.</summary>
public sealed class NestedSegmentsTests
{
    private const string File = "nested.plan.yaml";

    /// <summary>Units 1..4 recomputed as one segment whose recompute checkpoints 1..2 (itself nested: 1, then 2 kept) and 3, keeping 4.</summary>
    private const string Example = """
        format: autockpt-plan/2
        target: t
        model: { fingerprint: "sha256:abc", stages: 6 }
        device: { type: cpu, name: "" }
        batch_size: 8
        memory_cap_bytes: 8000000000
        units:
          - { path: "embed", segment: 0, strategy: keep, tidy: false }
          - { path: "blocks.0", segment: 1, strategy: recompute, inner: "0.0" }
          - { path: "blocks.1", segment: 1, strategy: recompute, inner: "0.1" }
          - { path: "blocks.2", segment: 1, strategy: recompute, inner: "1" }
          - { path: "blocks.3", segment: 1, strategy: recompute, inner: "2" }
          - { path: "head", segment: 2, strategy: keep, tidy: false }
        """;

    private static Segment Expected => new(1, 4, SegmentStrategy.Recompute)
    {
        Inner =
        [
            new Segment(1, 2, SegmentStrategy.Recompute) { Inner = [new Segment(1, 1, SegmentStrategy.Recompute), new Segment(2, 2, SegmentStrategy.Keep)] },
            new Segment(3, 3, SegmentStrategy.Recompute),
            new Segment(4, 4, SegmentStrategy.Keep),
        ],
    };

    [Fact]
    public void Given_inner_keys_When_parsed_Then_the_nested_segment_is_rebuilt_level_by_level()
    {
        var plan = PlanFile.Parse(Example, File);
        Assert.Equal([new Segment(0, 0, SegmentStrategy.Keep), Expected, new Segment(5, 5, SegmentStrategy.Keep)], plan.Segments);
        Assert.True(plan.IsNested);
        Assert.Equal("0.1", plan.Units[2].Inner);
        Assert.Null(plan.Units[0].Inner);
        Assert.Equal([0, 3, 2, 2, 1, 0], NestedSegments.RecomputeCounts(plan.Segments, 6)); // the kept unit of each level runs once less
    }

    [Fact]
    public void Given_a_nested_plan_When_formatted_and_parsed_Then_it_round_trips_byte_for_byte()
    {
        var plan = PlanFile.Parse(Example, File);
        string text = PlanFile.Format(plan);
        Assert.Contains("- { path: \"blocks.0\", segment: 1, strategy: recompute, inner: \"0.0\" }", text);
        Assert.Contains("- { path: \"embed\", segment: 0, strategy: keep, tidy: false }", text);
        var back = PlanFile.Parse(text, File);
        Assert.Equal(plan.Segments, back.Segments);
        Assert.Equal(text, PlanFile.Format(back));
    }

    [Fact]
    public void Given_a_nested_plan_without_unit_paths_When_formatted_Then_it_refuses_format_1()
    {
        var plan = new Plan
        {
            Target = "t", Model = new ModelInfo("sha256:x", 5), Device = new DeviceInfo("cpu", ""), BatchSize = 1, MemoryCapBytes = 100,
            Segments = [new Segment(0, 0, SegmentStrategy.Keep), Expected],
        };
        Assert.Throws<ArgumentException>(() => PlanFile.Format(plan));
    }

    [Fact]
    public void Given_an_older_format_2_file_without_inner_keys_When_read_Then_its_segments_are_flat()
    {
        var plan = PlanFile.Parse(Example.Replace(", inner: \"0.0\"", "").Replace(", inner: \"0.1\"", "").Replace(", inner: \"1\"", "").Replace(", inner: \"2\"", ""), File);
        Assert.Equal(new Segment(1, 4, SegmentStrategy.Recompute), plan.Segments[1]);
        Assert.False(plan.IsNested);
        Assert.DoesNotContain("inner", PlanFile.Format(plan));
    }

    [Theory]
    [InlineData("inner: \"0.1\"", "inner: \"0.0\"", "has 1 inner segment")]
    [InlineData("inner: \"0.0\"", "inner: \"0\"", "only some of their keys go deeper")]
    [InlineData("inner: \"1\" }", "inner: \"3\" }", "numbered 0, 1, 2")]
    [InlineData("inner: \"0.1\"", "inner: \"0.x\"", "joined by dots")]
    [InlineData("inner: \"0.1\"", "inner: \"0.1.0\"", "must be kept")]
    [InlineData("inner: \"2\" }", "inner: \"2.0\" }", "must be kept")]
    [InlineData("strategy: recompute, inner: \"1\" }", "strategy: recompute }", "some of its units have an 'inner' key")]
    [InlineData("\"head\", segment: 2, strategy: keep, tidy: false }", "\"head\", segment: 2, strategy: keep, tidy: false, inner: \"0\" }", "kept but has an inner key")]
    public void Given_inner_keys_that_break_the_rules_When_parsed_Then_ACKPT018_says_what_is_wrong(string line, string replacement, string says)
    {
        Assert.Contains(line, Example);
        var e = Assert.Throws<AckptException>(() => PlanFile.Parse(Example.Replace(line, replacement), File));
        Assert.Equal(ErrorCodes.PlanBadNesting, e.Code);
        Assert.Equal(File, e.File);
        Assert.Contains(says, e.Message);
    }

    [Fact]
    public void Given_segments_with_a_nested_one_When_validated_Then_only_well_formed_nesting_passes()
    {
        PlanFile.ValidateSegments([new Segment(0, 0, SegmentStrategy.Keep), Expected, new Segment(5, 5, SegmentStrategy.Keep)], 6, null);
        var single = new Segment(0, 1, SegmentStrategy.Recompute) { Inner = [new Segment(0, 1, SegmentStrategy.Keep)] };
        Assert.Equal(ErrorCodes.PlanBadNesting, Assert.Throws<AckptException>(() => PlanFile.ValidateSegments([single], 2, null)).Code);
        var keptOuter = new Segment(0, 1, SegmentStrategy.Keep) { Inner = [new Segment(0, 0, SegmentStrategy.Recompute), new Segment(1, 1, SegmentStrategy.Keep)] };
        Assert.Equal(ErrorCodes.PlanBadNesting, Assert.Throws<AckptException>(() => PlanFile.ValidateSegments([keptOuter], 2, null)).Code);
        var gap = new Segment(0, 2, SegmentStrategy.Recompute) { Inner = [new Segment(0, 0, SegmentStrategy.Recompute), new Segment(2, 2, SegmentStrategy.Keep)] };
        Assert.Equal(ErrorCodes.PlanBadNesting, Assert.Throws<AckptException>(() => PlanFile.ValidateSegments([gap], 3, null)).Code);
    }

    [Fact]
    public void Given_a_nested_segment_When_keep_only_entries_are_stripped_Then_it_moves_whole()
    {
        var plan = PlanFile.Parse(Example.Replace("\"embed\"", "\"(before blocks.0)\""), File);
        var stripped = KeepOnlyEntries.Strip(plan);
        Assert.Equal(NestedSegments.Shift(Expected, -1), stripped.Segments[0]);
        Assert.Equal("0-3:recompute[0-1:recompute[0-0:recompute,1-1:keep],2-2:recompute,3-3:keep]", stripped.Segments[0].ToString());
    }
}
