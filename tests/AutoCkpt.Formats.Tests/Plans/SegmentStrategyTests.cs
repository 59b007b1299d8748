using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using Xunit;

namespace AutoCkpt.Formats.Tests.Plans;

/// <summary>
/// The format's strategy registry (<see cref="SegmentStrategy.All"/>): every registered strategy is written and read
/// back by the plan file and the bench's notation without code of its own, and what a strategy does not allow is a
/// coded error.
/// </summary>
public sealed class SegmentStrategyTests
{
    public static TheoryData<string> Names => [.. SegmentStrategy.All.Select(s => s.Name)];

    private static Segment OneUnit(int stage, SegmentStrategy s) => new(stage, stage, s) { Option = s.TakesOption ? "attn.q_proj" : null };

    private static Plan PlanWith(Segment middle) => new()
    {
        Target = "t", Model = new ModelInfo("sha256:x", 3), Device = new DeviceInfo("cpu", ""), BatchSize = 1, MemoryCapBytes = 100,
        Segments = [new Segment(0, 0, SegmentStrategy.Keep), middle, new Segment(2, 2, SegmentStrategy.Keep)],
        UnitPaths = ["a", "b", "c"],
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Given_a_unit_of_each_registered_strategy_When_the_plan_is_written_and_read_Then_it_round_trips(string name)
    {
        var strategy = SegmentStrategy.Named(name)!;
        var plan = PlanWith(OneUnit(1, strategy));
        string text = PlanFile.Format(plan);
        Assert.Contains($"strategy: {strategy.Base.Name}", text);
        var back = PlanFile.Parse(text, "p.yaml");
        Assert.Equal(plan.Segments, back.Segments);
        Assert.Equal(strategy, back.Units[1].Strategy);
        Assert.Equal(text, PlanFile.Format(back));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Given_a_segment_of_each_registered_strategy_When_written_in_the_bench_notation_Then_it_reads_back(string name)
    {
        var strategy = SegmentStrategy.Named(name)!;
        IReadOnlyList<Segment> segments = [new Segment(0, 0, SegmentStrategy.Keep), OneUnit(1, strategy), new Segment(2, 3, SegmentStrategy.Recompute)];
        string text = BenchMeasurementFile.FormatSegments(segments);
        Assert.Contains($"1-1:{strategy.Name}", text);
        Assert.Equal(segments, BenchMeasurementFile.ParseSegments(text));
    }

    [Fact]
    public void Given_the_registry_Then_names_are_unique_variants_name_a_base_and_a_unit_key_and_bases_say_the_file_strategy()
    {
        Assert.Equal(SegmentStrategy.All.Count, SegmentStrategy.All.Select(s => s.Name).Distinct().Count());
        Assert.All(SegmentStrategy.All.Where(s => s.IsVariant), v => { Assert.NotNull(v.UnitKey); Assert.False(v.Base.IsVariant); });
        Assert.Equal(["keep", "recompute"], SegmentStrategy.Bases.Select(s => s.Name));
        Assert.Same(SegmentStrategy.SaveMatmuls, SegmentStrategy.Named("SAVE_MATMULS"));
    }

    [Theory]
    [InlineData("attn", true)]
    [InlineData("attn.core", true)]
    [InlineData("self_attn+mlp", true)] // several sub-modules of one unit
    [InlineData("attn,mlp", false)]     // ',' separates the bench's segments
    [InlineData("attn+attn", false)]    // repeated
    [InlineData("attn+attn.core", false)] // one inside the other
    [InlineData("attn.core+attn", false)]
    [InlineData("attn+", false)]
    [InlineData("+mlp", false)]
    [InlineData("", false)]
    [InlineData("attn mlp", false)]
    public void Given_an_option_When_checked_Then_names_joined_by_plus_are_valid_and_nothing_else(string option, bool valid) =>
        Assert.Equal(valid, SegmentStrategy.IsValidOption(option));

    [Fact]
    public void Given_a_unit_recomputing_two_sub_modules_When_written_in_the_bench_notation_and_read_back_Then_it_is_the_same()
    {
        var segments = new[] { new Segment(0, 0, SegmentStrategy.SubModule) { Option = "self_attn+mlp" }, new Segment(1, 1, SegmentStrategy.Recompute) };
        Assert.Equal(segments, BenchMeasurementFile.ParseSegments(BenchMeasurementFile.FormatSegments(segments)));
        PlanFile.ValidateSegments(segments, 2, "p.yaml");
    }

    [Fact]
    public void Given_an_option_on_a_strategy_that_takes_none_When_validated_or_read_in_the_bench_notation_Then_a_coded_error()
    {
        var e = Assert.Throws<AckptException>(() => PlanFile.ValidateSegments([new Segment(0, 0, SegmentStrategy.Recompute) { Option = "x" }], 1, "p.yaml"));
        Assert.Equal(ErrorCodes.PlanBadSegments, e.Code);
        Assert.Contains("does not take", e.Message);
        var b = Assert.Throws<AckptException>(() => BenchMeasurementFile.ParseSegments("0-0:recompute=x"));
        Assert.Equal(ErrorCodes.BadArgument, b.Code);
    }

    [Fact]
    public void Given_a_one_unit_strategy_over_two_units_When_validated_Then_ACKPT004()
    {
        var e = Assert.Throws<AckptException>(() => PlanFile.ValidateSegments([new Segment(0, 1, SegmentStrategy.SaveMatmuls)], 2, "p.yaml"));
        Assert.Equal(ErrorCodes.PlanBadSegments, e.Code);
        Assert.Contains("save_matmuls", e.Message);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Given_a_segment_of_each_registered_strategy_When_a_bench_measurement_is_written_and_read_Then_it_reads_back(string name)
    {
        var strategy = SegmentStrategy.Named(name)!;
        var nested = new Segment(2, 4, SegmentStrategy.Recompute) { Inner = [new Segment(2, 3, SegmentStrategy.Recompute), new Segment(4, 4, SegmentStrategy.Keep)] };
        IReadOnlyList<Segment> segments = [new Segment(0, 0, SegmentStrategy.Keep), OneUnit(1, strategy), nested];
        var measurement = new BenchMeasurement("t", new DeviceInfo("cpu", ""), 1, 1, 0,
            [new StrategyMeasurement("plan", segments, 1, 0.1, [0.1], [1], 0, [])], [1.0]);
        string path = Path.Combine(Path.GetTempPath(), $"autockpt-strategy-{Guid.NewGuid():N}.json");
        try
        {
            BenchMeasurementFile.Write(path, measurement);
            Assert.Contains($"\"{strategy.Name}\"", File.ReadAllText(path));
            Assert.Equal(segments, BenchMeasurementFile.Read(path).Strategies[0].Segments);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
