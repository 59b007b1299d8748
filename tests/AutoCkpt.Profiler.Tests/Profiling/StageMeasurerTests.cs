using AutoCkpt.Formats.Profiles;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using AutoCkpt.Profiler.Tests.Fakes;
using Xunit;

namespace AutoCkpt.Profiler.Tests.Profiling;

public sealed class StageMeasurerTests
{
    private readonly FakeClock _clock = new();
    private readonly FakeProbe _probe = new();

    private StageProfileResult MeasureRuns(int warmups, params FakeRun[] runs) => MeasureRuns(false, warmups, runs);

    private StageProfileResult MeasureRuns(bool transientsAfterIdle, int warmups, params FakeRun[] runs)
    {
        int started = 0;
        var measurer = new StageMeasurer(new Meter(_probe, _clock)) { TransientsAfterIdle = transientsAfterIdle };
        var profile = measurer.Measure("s", () => new FakeStagePass(runs[started++], _clock, _probe, outputGradBytes: 100), warmups, runs.Length - warmups);
        return new StageProfileResult(profile, started);
    }

    private sealed record StageProfileResult(Formats.Profiles.StageProfile Profile, int PassesStarted);

    [Fact]
    public void Given_repeated_passes_When_measured_Then_each_figure_is_the_median_of_the_measured_passes()
    {
        var r = MeasureRuns(0,
            new FakeRun(0.010, 1000, 50, 0.020, 400, 600),
            new FakeRun(0.030, 1200, 70, 0.060, 500, 700),
            new FakeRun(0.020, 1100, 60, 0.040, 450, 650));

        var p = r.Profile;
        Assert.Equal(0.020, p.ForwardSeconds, 9);
        Assert.Equal(0.040, p.BackwardSeconds, 9);
        Assert.Equal(1100, p.RetainedBytes);
        Assert.Equal(60, p.ForwardTransientBytes);
        Assert.Equal(450, p.BackwardTransientBytes);
        Assert.Equal(650, p.BackwardFreedBytes);
        Assert.Equal(100, p.OutputBytes);
    }

    [Fact]
    public void Given_transients_after_idle_When_measured_Then_the_transients_are_the_highest_of_the_passes_and_the_rest_medians()
    {
        // A dilated Conv1d's backward on two threads: its scratch depends on how the threads start (docs/profiler.md,
        // "Transients after idle"); the step reaches the higher figure, so the profile keeps it.
        var r = MeasureRuns(true, 0,
            new FakeRun(0.010, 1000, 50, 0.020, 400, 600),
            new FakeRun(0.030, 1200, 90, 0.060, 980, 700),
            new FakeRun(0.020, 1100, 60, 0.040, 450, 650));

        var p = r.Profile;
        Assert.Equal(90, p.ForwardTransientBytes);
        Assert.Equal(980, p.BackwardTransientBytes);
        Assert.Equal(1100, p.RetainedBytes);
        Assert.Equal(650, p.BackwardFreedBytes);
        Assert.Equal(0.020, p.ForwardSeconds, 9);
    }

    [Fact]
    public void Given_warm_up_passes_When_measured_Then_they_run_but_do_not_count()
    {
        var r = MeasureRuns(2,
            new FakeRun(9.0, 99999, 0, 9.0, 0, 0),
            new FakeRun(9.0, 99999, 0, 9.0, 0, 0),
            new FakeRun(0.001, 10, 0, 0.002, 0, 0));

        Assert.Equal(3, r.PassesStarted);
        Assert.Equal(0.001, r.Profile.ForwardSeconds, 9);
        Assert.Equal(10, r.Profile.RetainedBytes);
    }

    [Fact]
    public void Given_memory_left_by_an_earlier_pass_When_measured_Then_retained_is_growth_not_live_bytes()
    {
        _probe.Allocate(1_000_000);

        var r = MeasureRuns(0, new FakeRun(0.001, 300, 0, 0.001, 0, 0));

        Assert.Equal(300, r.Profile.RetainedBytes);
    }

    [Fact]
    public void Given_an_output_gradient_When_the_backward_is_measured_Then_its_transient_is_above_the_state_that_holds_it()
    {
        // Live before the backward already holds the 100-byte output gradient; the transient is only the scratch.
        var r = MeasureRuns(0, new FakeRun(0.001, 300, 0, 0.001, BackwardScratch: 800, BackwardFreed: 0));

        Assert.Equal(800, r.Profile.BackwardTransientBytes);
    }

    [Fact]
    public void Given_a_backward_that_allocates_more_than_it_frees_When_measured_Then_freed_bytes_are_negative()
    {
        var r = MeasureRuns(0, new FakeRun(0.001, 300, 0, 0.001, 0, BackwardFreed: -250));

        Assert.Equal(-250, r.Profile.BackwardFreedBytes);
    }

    [Fact]
    public void Given_a_pass_When_measured_Then_its_input_is_released_after_the_forward_and_before_the_backward()
    {
        var r = MeasureRuns(0, new FakeRun(0.001, 300, 0, 0.001, 0, 0, InputFreed: 120));

        Assert.Equal(300, r.Profile.RetainedBytes);
        Assert.Equal(0, r.Profile.BackwardFreedBytes);
        Assert.Equal(0, _probe.LiveBytes());
    }

    [Fact]
    public void Given_a_stage_without_backward_When_measured_Then_its_backward_figures_are_zero()
    {
        var r = MeasureRuns(0, new FakeRun(0.003, 300, 20, 5.0, 999, 999, HasBackward: false));

        Assert.Equal(0, r.Profile.BackwardSeconds);
        Assert.Equal(0, r.Profile.BackwardTransientBytes);
        Assert.Equal(0, r.Profile.BackwardFreedBytes);
        Assert.Equal(0.003, r.Profile.ForwardSeconds, 9);
    }

    [Fact]
    public void Given_passes_When_measured_Then_every_pass_frees_what_it_made()
    {
        MeasureRuns(1, new FakeRun(0.001, 300, 10, 0.001, 5, 100), new FakeRun(0.001, 300, 10, 0.001, 5, 100));

        Assert.Equal(0, _probe.LiveBytes());
    }
}
