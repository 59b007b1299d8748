using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using Xunit;
using static AutoCkpt.Testing.TestProfiles;

namespace AutoCkpt.Planner.Tests.CostModel;

/// <summary>The cost model on the hand-worked example of docs/cost-model.md (bytes in MB, F = 100 MB).</summary>
public sealed class CostModelTests
{
    private const long MB = 1_000_000;

    // name, f, b, O, R, FT, BT, D, I
    private static readonly Profile Example = Of(100 * MB,
        Stage("s0", 1, 2, 10 * MB, 30 * MB, 5 * MB, 8 * MB, 20 * MB, 0),
        Stage("s1", 2, 4, 10 * MB, 40 * MB, 6 * MB, 9 * MB, 25 * MB, 10 * MB),
        Stage("s2", 1, 2, 5 * MB, 20 * MB, 4 * MB, 7 * MB, 12 * MB, 0));

    private static IReadOnlyList<Segment> Plan(params (int First, int Last, SegmentStrategy S)[] s) => [.. s.Select(x => new Segment(x.First, x.Last, x.S))];

    [Fact]
    public void Given_no_checkpointing_When_predicted_Then_the_peak_is_the_last_stages_backward_192_MB()
    {
        var p = new StepCostModel(Example).Predict(Baselines.None(3));
        Assert.Equal(192 * MB, p.PeakBytes);
        Assert.Equal(12, p.StepSeconds, 12);
        Assert.Equal(0, p.RecomputeSeconds);
    }

    [Fact]
    public void Given_the_first_stage_recomputed_When_predicted_Then_the_peak_falls_to_172_MB_for_one_forward_more()
    {
        var p = new StepCostModel(Example).Predict(Plan((0, 0, SegmentStrategy.Recompute), (1, 2, SegmentStrategy.Keep)));
        Assert.Equal(172 * MB, p.PeakBytes);
        Assert.Equal(13, p.StepSeconds, 12);
        Assert.Equal(1, p.RecomputeSeconds, 12);
    }

    [Fact]
    public void Given_every_stage_recomputed_When_predicted_Then_each_segment_frees_the_previous_ones_output_after_its_backward_and_the_peak_is_174_MB()
    {
        // Forward 135, 156, 144; held 125 + loss gradient 5 = 130. s2: re-run 154, backward 157, then 130 − 5 = 125 (its
        // input s1's output is freed as its gradient is made). s1: re-run 171, backward 174, then 115. s0: 150, 153.
        var model = new StepCostModel(Example);
        var p = model.Predict(Baselines.EveryStage(3));
        Assert.Equal(174 * MB, p.PeakBytes);
        var disposals = model.Series(Baselines.EveryStage(3)).Where(x => x.Phase == StepPhase.Dispose).Select(x => x.Bytes / MB);
        Assert.Equal([125L, 115L, 105L], disposals);
    }

    [Fact]
    public void Given_the_last_segment_recomputed_When_predicted_Then_its_re_forward_on_top_of_the_loss_gradient_raises_the_peak_to_207_MB()
    {
        var p = new StepCostModel(Example).Predict(Plan((0, 0, SegmentStrategy.Keep), (1, 2, SegmentStrategy.Recompute)));
        Assert.Equal(207 * MB, p.PeakBytes);
        Assert.Equal(15, p.StepSeconds, 12);
    }

    [Fact]
    public void Given_no_checkpointing_When_the_series_is_drawn_Then_it_walks_forward_then_backward_with_the_hand_worked_levels()
    {
        var points = new StepCostModel(Example).Series(Baselines.None(3));
        long[] expected = [100, 135, 130, 176, 160, 184, 180, 185, 192, 168, 177, 133, 141, 103, 100];
        Assert.Equal(expected, points.Select(p => p.Bytes / MB));
        Assert.Equal(StepPhase.LossGradient, points[7].Phase);
        Assert.Equal(12, points[^1].Seconds, 12);
    }

    [Fact]
    public void Given_a_recompute_segment_When_the_series_is_drawn_Then_its_forward_keeps_only_the_running_stage_and_its_backward_re_runs_it()
    {
        var points = new StepCostModel(Example).Series(Plan((0, 0, SegmentStrategy.Keep), (1, 2, SegmentStrategy.Recompute)));
        // s2's output gradient (5 MB) stays live through s1's backward, to the segment's end (OutputGradientTests).
        long[] expected = [100, 135, 130, 176, 140, 164, 135, 135, 140, 186, 180, 204, 200, 207, 188, 197, 153, 145, 153, 115, 100];
        Assert.Equal(expected, points.Select(p => p.Bytes / MB));
        Assert.Contains(points, p => p.Phase == StepPhase.Recompute && p.Stage == 2);
        Assert.Equal(StepPhase.Dispose, points[17].Phase);
    }

    [Fact]
    public void Given_the_peak_When_compared_with_the_series_Then_it_is_the_series_maximum()
    {
        var model = new StepCostModel(Random(new Random(7), 9));
        foreach (var plan in Baselines.Standard(9).Select(b => b.Segments))
            Assert.Equal(model.Series(plan).Max(p => p.Bytes), model.PeakBytes(plan));
    }

    [Fact]
    public void Given_segments_that_leave_a_gap_When_predicted_Then_ACKPT004()
    {
        var e = Assert.Throws<AckptException>(() => new StepCostModel(Example).Predict(Plan((0, 0, SegmentStrategy.Keep), (2, 2, SegmentStrategy.Keep))));
        Assert.Equal(ErrorCodes.PlanBadSegments, e.Code);
    }

    [Fact]
    public void Given_kept_runs_split_differently_When_predicted_Then_the_prediction_is_the_same()
    {
        var model = new StepCostModel(Example);
        var whole = model.Predict(Baselines.None(3));
        var split = model.Predict(Plan((0, 0, SegmentStrategy.Keep), (1, 1, SegmentStrategy.Keep), (2, 2, SegmentStrategy.Keep)));
        Assert.Equal(whole, split);
    }
}
