using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using Xunit;

namespace AutoCkpt.Formats.Tests.Plans;

/// <summary>Format 2's <c>units[].recompute_only</c> (docs/selective.md): read, written, and only on a lone kept unit.</summary>
public sealed class PlanRecomputeOnlyTests
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
          - { path: "blocks.0", segment: 1, strategy: keep, tidy: true, recompute_only: "attn" }
          - { path: "blocks.1", segment: 2, strategy: keep, tidy: false, recompute_only: "attn.core" }
          - { path: "blocks.2", segment: 3, strategy: recompute }
        """;

    [Fact]
    public void Given_a_plan_with_units_recomputing_sub_modules_When_parsed_and_formatted_Then_it_round_trips()
    {
        var plan = PlanFile.Parse(Example, File);
        Assert.Equal([null, "attn", "attn.core", null], plan.Segments.Select(s => s.Option));
        Assert.Equal(SegmentStrategy.SubModule, plan.Segments[1].Strategy);
        Assert.Equal("attn", plan.Units[1].Option);
        Assert.True(plan.IsTidy(1));
        string text = PlanFile.Format(plan);
        Assert.Contains("- { path: \"blocks.0\", segment: 1, strategy: keep, tidy: true, recompute_only: \"attn\" }", text);
        Assert.Equal(text, PlanFile.Format(PlanFile.Parse(text, File)));
    }

    [Theory]
    [InlineData("segment: 3, strategy: recompute }", "segment: 3, strategy: recompute, recompute_only: \"mlp\" }", "recomputed")]
    [InlineData("\"blocks.0\", segment: 1,", "\"blocks.0\", segment: 0,", "one of 2 units of a keep segment")]
    public void Given_recompute_only_off_a_lone_kept_unit_When_parsed_Then_ACKPT004(string line, string replacement, string says)
    {
        var text = Example.Replace(line, replacement);
        if (replacement.Contains("segment: 0,"))
            text = text.Replace("segment: 2,", "segment: 1,").Replace("segment: 3,", "segment: 2,");
        var e = Assert.Throws<AckptException>(() => PlanFile.Parse(text, File));
        Assert.Equal(ErrorCodes.PlanBadSegments, e.Code);
        Assert.Contains(says, e.Message);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"attn,core\"")]
    [InlineData("\"attn;rm -rf\"")]
    public void Given_a_malformed_recompute_only_value_When_parsed_Then_ACKPT002_names_the_key(string value)
    {
        var e = Assert.Throws<AckptException>(() => PlanFile.Parse(Example.Replace("\"attn\"", value), File));
        Assert.Equal(ErrorCodes.PlanMalformed, e.Code);
        Assert.Contains("recompute_only", e.Message);
    }
}
