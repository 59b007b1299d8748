using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using Xunit;

namespace AutoCkpt.Formats.Tests;

/// <summary>input_shape: recorded in profiles and plans, optional, bounded, and compared at run time.</summary>
public sealed class InputShapeTests
{
    private static Profile Sample(IReadOnlyList<long> shape) => new()
    {
        Target = "mlp",
        Model = new ModelInfo("sha256:abc", 1),
        Device = new DeviceInfo("cpu", "2-core CPU"),
        BatchSize = 16,
        FixedBytes = new FixedBytes(1000, 1000, 2000, 64),
        Stages = [new StageProfile("0", 0.001, 0.002, 4096, 8192, 128, 256)],
        InputShape = shape,
    };

    private static Plan PlanOf(IReadOnlyList<long> shape) => new()
    {
        Target = "mlp",
        Model = new ModelInfo("sha256:abc", 1),
        Device = new DeviceInfo("cpu", "2-core CPU"),
        BatchSize = 16,
        MemoryCapBytes = 1 << 20,
        Segments = [new Segment(0, 0, SegmentStrategy.Keep)],
        UnitPaths = ["0"],
        InputShape = shape,
    };

    [Fact]
    public void A_profile_and_a_plan_round_trip_their_input_shape()
    {
        string profileText = ProfileFile.Format(Sample([16, 128, 3]));
        string planText = PlanFile.Format(PlanOf([16, 128, 3]));

        Assert.Contains("input_shape: 16x128x3\n", profileText);
        Assert.Contains("input_shape: 16x128x3\n", planText);
        Assert.Equal([16L, 128, 3], ProfileFile.Parse(profileText, "p.yaml").InputShape);
        Assert.Equal([16L, 128, 3], PlanFile.Parse(planText, "x.plan.yaml").InputShape);
    }

    [Fact]
    public void Files_without_an_input_shape_are_still_read_and_written_without_one()
    {
        string profileText = ProfileFile.Format(Sample([]));
        string planText = PlanFile.Format(PlanOf([]));

        Assert.DoesNotContain("input_shape", profileText + planText);
        Assert.Empty(ProfileFile.Parse(profileText, "p.yaml").InputShape);
        Assert.Empty(PlanFile.Parse(planText, "x.plan.yaml").InputShape);
    }

    [Theory]
    [InlineData("16x")]
    [InlineData("x")]
    [InlineData("16x-1")]
    [InlineData("16 x 3")]
    [InlineData("99999999999")]
    [InlineData("1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1")]
    public void A_bad_input_shape_is_a_coded_error_in_either_file(string bad)
    {
        string profileText = ProfileFile.Format(Sample([16, 8])).Replace("input_shape: 16x8", $"input_shape: \"{bad}\"");
        string planText = PlanFile.Format(PlanOf([16, 8])).Replace("input_shape: 16x8", $"input_shape: \"{bad}\"");

        var e1 = Assert.Throws<AckptException>(() => ProfileFile.Parse(profileText, "p.yaml"));
        var e2 = Assert.Throws<AckptException>(() => PlanFile.Parse(planText, "x.plan.yaml"));

        Assert.Equal((ErrorCodes.ProfileMalformed, "p.yaml"), (e1.Code, e1.File));
        Assert.Equal((ErrorCodes.PlanMalformed, "x.plan.yaml"), (e2.Code, e2.File));
        Assert.Contains("input_shape", e1.Message);
    }

    [Theory]
    [InlineData(new long[] { 16, 128 }, new long[] { 16, 128 }, false)]
    [InlineData(new long[] { 8, 128 }, new long[] { 16, 128 }, false)]
    [InlineData(new long[] { 16, 64 }, new long[] { 16, 128 }, false)]
    [InlineData(new long[] { 32, 128 }, new long[] { 16, 128 }, true)]
    [InlineData(new long[] { 16, 256 }, new long[] { 16, 128 }, true)]
    [InlineData(new long[] { 16, 128, 2 }, new long[] { 16, 128 }, true)]
    [InlineData(new long[] { 64, 512 }, new long[0], false)]
    public void Only_a_larger_input_or_another_rank_exceeds_the_profiled_shape(long[] actual, long[] measured, bool exceeds) =>
        Assert.Equal(exceeds, InputShape.Exceeds(actual, measured));
}
