using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Plans;
using Xunit;

namespace AutoCkpt.Formats.Tests.Plans;

public sealed class KeepOnlyEntriesTests
{
    private static Plan Plan(IReadOnlyList<string> paths, IReadOnlyList<Segment> segments, IReadOnlyList<bool>? tidy = null) => new()
    {
        Target = "t",
        Model = new ModelInfo("sha256:x", paths.Count),
        Device = new DeviceInfo("cpu", ""),
        BatchSize = 1,
        MemoryCapBytes = 1,
        Segments = segments,
        UnitPaths = paths,
        TidyUnits = tidy ?? [],
    };

    [Fact]
    public void Given_a_plan_from_an_in_place_profile_When_stripped_Then_only_units_remain_renumbered_with_their_strategies_and_tidy()
    {
        var plan = Plan(["(before l.0)", "l.0", "l.1", "(after l.1)", "l.2", "(after l.2)"],
            [new(0, 1, SegmentStrategy.Keep), new(2, 2, SegmentStrategy.Recompute), new(3, 5, SegmentStrategy.Keep)],
            [false, true, false, false, true, false]);
        var units = KeepOnlyEntries.Strip(plan);
        Assert.Equal(["l.0", "l.1", "l.2"], units.UnitPaths);
        Assert.Equal(3, units.Model.Stages);
        Assert.Equal([new Segment(0, 0, SegmentStrategy.Keep), new Segment(1, 1, SegmentStrategy.Recompute), new Segment(2, 2, SegmentStrategy.Keep)], units.Segments);
        Assert.Equal([true, false, true], units.TidyUnits);
    }

    [Fact]
    public void Given_a_plan_without_keep_only_entries_When_stripped_Then_it_is_the_same_plan()
    {
        var plan = Plan(["l.0", "l.1"], [new(0, 1, SegmentStrategy.Recompute)]);
        Assert.Same(plan, KeepOnlyEntries.Strip(plan));
    }

    [Fact]
    public void Given_a_plan_that_recomputes_a_keep_only_entry_When_stripped_Then_ACKPT112_names_it()
    {
        var plan = Plan(["(before l.0)", "l.0"], [new(0, 1, SegmentStrategy.Recompute)]);
        var e = Assert.Throws<AckptException>(() => KeepOnlyEntries.Strip(plan, "p.yaml"));
        Assert.Equal(ErrorCodes.KeepOnlyPlanned, e.Code);
        Assert.Contains("'(before l.0)'", e.Message);
    }
}
