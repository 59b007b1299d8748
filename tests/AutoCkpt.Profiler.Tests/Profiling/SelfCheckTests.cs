using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Profiler.Profiling;
using Xunit;

namespace AutoCkpt.Profiler.Tests.Profiling;

public sealed class SelfCheckTests
{
    private static Profile With(long measuredBytes, double measuredSeconds) => new()
    {
        Target = "t",
        Model = new ModelInfo("sha256:00", 2),
        Device = new DeviceInfo("cpu", "test"),
        BatchSize = 1,
        FixedBytes = new FixedBytes(0, 0, 0, 0),
        Stages =
        [
            new StageProfile("a", 0.010, 0.020, 100, 500, 0, 0),
            new StageProfile("b", 0.030, 0.040, 100, 500, 0, 0),
        ],
        Check = new ProfileCheck(measuredBytes, measuredSeconds),
    };

    [Fact]
    public void Given_sums_within_tolerance_When_checked_Then_there_is_no_warning() =>
        Assert.Empty(SelfCheck.Warnings(With(1040, 0.110)));

    [Fact]
    public void Given_retained_bytes_more_than_5_percent_off_When_checked_Then_ACKPT031_names_memory()
    {
        var w = Assert.Single(SelfCheck.Warnings(With(1060, 0.100)));
        Assert.Equal(ErrorCodes.ProfileSelfCheck, w.Code);
        Assert.Contains("retained", w.Message);
    }

    [Fact]
    public void Given_stage_times_more_than_15_percent_off_When_checked_Then_ACKPT031_names_time()
    {
        var w = Assert.Single(SelfCheck.Warnings(With(1000, 0.080)));
        Assert.Equal(ErrorCodes.ProfileSelfCheck, w.Code);
        Assert.Contains("step", w.Message);
    }

    /// <summary>Stage times sum to 0.100 s; the step is measured at <paramref name="step"/> with the spreads given.</summary>
    private static Profile Noisy(double step, double stepSpread, double stageSpread, long bytes = 1000) =>
        With(bytes, step) with { Check = new ProfileCheck(bytes, step) { StepSecondsSpread = stepSpread, StageSecondsSpread = stageSpread } };

    [Fact]
    public void Given_a_time_gap_within_the_runs_own_timing_noise_When_checked_Then_there_is_no_warning()
    {
        // 25% apart; the whole steps scattered 20% and the stages 10%: noise explains it.
        var p = Noisy(0.080, stepSpread: 0.016, stageSpread: 0.010);
        Assert.Equal(0.30, SelfCheck.TimeNoise(p), 9);
        Assert.Empty(SelfCheck.Warnings(p));
    }

    [Fact]
    public void Given_a_time_gap_beyond_the_runs_noise_When_checked_Then_ACKPT031_says_the_noise_does_not_explain_it()
    {
        // 25% apart with 5.5% noise (2.5% of the step, 3% of the stages): a systematic gap.
        var w = Assert.Single(SelfCheck.Warnings(Noisy(0.080, stepSpread: 0.002, stageSpread: 0.003)));
        Assert.Equal(ErrorCodes.ProfileSelfCheck, w.Code);
        Assert.Contains("more than this run's own timing noise, 5.5%", w.Message);
    }

    [Fact]
    public void Given_noisy_timings_When_the_bytes_disagree_Then_the_memory_warning_still_fires()
    {
        var w = Assert.Single(SelfCheck.Warnings(Noisy(0.100, stepSpread: 0.05, stageSpread: 0.05, bytes: 1060) with
        {
            Check = new ProfileCheck(1060, 0.100) { StepSecondsSpread = 0.05, StageSecondsSpread = 0.05 },
        }));
        Assert.Contains("retained", w.Message);
    }

    [Fact]
    public void Given_stages_whose_inputs_are_freed_When_checked_Then_the_freed_bytes_are_not_counted()
    {
        var p = With(700, 0.100) with
        {
            Stages =
            [
                new StageProfile("a", 0.010, 0.020, 100, 500, 0, 0),
                new StageProfile("b", 0.030, 0.040, 100, 500, 0, 0) { InputFreedBytes = 300 },
            ],
        };

        Assert.Equal(700, SelfCheck.ForwardRetainedBytes(p));
        Assert.Empty(SelfCheck.Warnings(p));
    }

    [Fact]
    public void Given_a_profile_When_disagreements_are_computed_Then_they_are_relative_to_the_measurement()
    {
        var p = With(800, 0.125);
        Assert.Equal(0.25, SelfCheck.MemoryDisagreement(p)!.Value, 9);
        Assert.Equal(0.2, SelfCheck.TimeDisagreement(p)!.Value, 9);
    }
}
