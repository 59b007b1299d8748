using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using Xunit;

namespace AutoCkpt.Formats.Tests.Plans;

/// <summary>Format 2's <c>units[].save_matmuls</c> (docs/selective.md): read, written, and only on a lone recomputed unit.</summary>
public sealed class PlanSaveMatmulsTests
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
          - { path: "blocks.0", segment: 1, strategy: recompute, save_matmuls: true }
          - { path: "blocks.1", segment: 2, strategy: recompute }
          - { path: "blocks.2", segment: 3, strategy: keep, tidy: false }
        """;

    [Fact]
    public void Given_a_plan_with_a_save_matmuls_unit_When_parsed_and_formatted_Then_it_round_trips()
    {
        var plan = PlanFile.Parse(Example, File);
        Assert.Equal([false, true, false, false], plan.SavedMatmulUnits);
        Assert.True(plan.Units[1].SavesMatmuls);
        Assert.False(plan.Units[2].SavesMatmuls);
        string text = PlanFile.Format(plan);
        Assert.Contains("- { path: \"blocks.0\", segment: 1, strategy: recompute, save_matmuls: true }", text);
        Assert.Contains("- { path: \"blocks.1\", segment: 2, strategy: recompute }", text);
        Assert.Equal(text, PlanFile.Format(PlanFile.Parse(text, File)));
    }

    [Theory]
    [InlineData("\"blocks.2\", segment: 3, strategy: keep, tidy: false }", "\"blocks.2\", segment: 3, strategy: keep, tidy: false, save_matmuls: true }", "is kept")]
    [InlineData("\"blocks.1\", segment: 2, strategy: recompute }", "\"blocks.1\", segment: 1, strategy: recompute }", "one of 2 units of a recompute segment")]
    public void Given_save_matmuls_off_a_lone_recomputed_unit_When_parsed_Then_ACKPT004(string line, string replacement, string says)
    {
        var text = Example.Replace(line, replacement).Replace("segment: 3, strategy: keep", replacement.Contains("segment: 1") ? "segment: 2, strategy: keep" : "segment: 3, strategy: keep");
        var e = Assert.Throws<AckptException>(() => PlanFile.Parse(text, File));
        Assert.Equal(ErrorCodes.PlanBadSegments, e.Code);
        Assert.Contains(says, e.Message);
    }

    [Fact]
    public void Given_a_malformed_save_matmuls_value_When_parsed_Then_ACKPT002_names_the_key()
    {
        var e = Assert.Throws<AckptException>(() => PlanFile.Parse(Example.Replace("save_matmuls: true", "save_matmuls: yes"), File));
        Assert.Equal(ErrorCodes.PlanMalformed, e.Code);
        Assert.Contains("save_matmuls", e.Message);
    }
}
