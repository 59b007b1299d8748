using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner;
using AutoCkpt.Planner.CostModel;
using Xunit;

namespace AutoCkpt.Formats.Tests;

/// <summary>
/// What the bounds buy: a profile with the most stages and every count at its bound (freed counts at −2^40) still
/// predicts without overflow, where before a long's wrap-around gave a negative peak that was then planned, and the
/// plan of it reads back (its sums of times stay within the plan's bound).
/// </summary>
public sealed class FileLimitsTests
{
    [Fact]
    public void Given_a_profile_at_every_bound_When_the_cost_model_sums_it_Then_nothing_overflows_and_its_plan_reads_back()
    {
        long max = FileLimits.MaxBytes;
        int n = FileLimits.MaxStages;
        var text = ProfileFile.Format(new Profile
        {
            Target = "bounds",
            Model = new ModelInfo("sha256:x", n),
            Device = new DeviceInfo("cpu", ""),
            BatchSize = int.MaxValue,
            FixedBytes = new FixedBytes(max, max, max, max),
            Stages = [.. Enumerable.Range(0, n).Select(i => new StageProfile($"{i}", FileLimits.MaxStageSeconds, FileLimits.MaxStageSeconds, max, max, max, max)
            {
                BackwardFreedBytes = -max,
                Recompute = new RecomputeFigures(max, max, -max),
            })],
        });
        var model = new StepCostModel(ProfileFile.Parse(text, "bounds.profile.yaml"));
        var predictions = new[] { Baselines.None(n), Baselines.EveryStage(n), Baselines.SqrtN(n), Baselines.Uniform(n, 7) }.Select(model.Predict).ToList();
        foreach (var segments in new[] { Baselines.None(n), Baselines.EveryStage(n) })
            Assert.All(model.Series(segments), p => Assert.InRange(p.Bytes, -(long)((3.0 * n + 8) * max), (long)((3.0 * n + 8) * max)));
        Assert.All(predictions, p => Assert.InRange(p.PeakBytes, 4 * max, long.MaxValue));
        // None keeps every stage: fixed, then every stage's retained bytes (the last output too), then its backward
        // transient, and each backward adds back max (freed −max, less the output max): exact, no wrap-around.
        Assert.True(predictions[0].PeakBytes > (long)n * max);

        var plan = new Plan
        {
            Target = "bounds",
            Model = new ModelInfo("sha256:x", n),
            Device = new DeviceInfo("cpu", ""),
            BatchSize = int.MaxValue,
            MemoryCapBytes = long.MaxValue,
            Predicted = predictions[1],
            Baselines = [.. predictions.Select((p, i) => new Baseline($"b{i}", p.PeakBytes, p.StepSeconds))],
            Segments = Baselines.EveryStage(n),
        };
        var back = PlanFile.Parse(PlanFile.Format(plan), "bounds.plan.yaml");
        Assert.Equal(plan.Predicted, back.Predicted);
        Assert.Equal(plan.Baselines, back.Baselines);
    }
}
