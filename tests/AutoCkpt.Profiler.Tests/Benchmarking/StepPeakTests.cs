using AutoCkpt.Profiler.Benchmarking;
using AutoCkpt.Profiler.Measuring;
using Xunit;

namespace AutoCkpt.Profiler.Tests.Benchmarking;

/// <summary>How a bench step's peak is put together from its forward (with the loss) and backward readings.</summary>
public sealed class StepPeakTests
{
    [Fact]
    public void Given_a_backward_that_rises_above_what_the_forward_left_When_combined_Then_the_peak_is_the_forward_growth_plus_the_backward_rise()
    {
        var forward = new Reading(0.1, LiveBeforeBytes: 1000, LiveAfterBytes: 1800, PeakBytes: 1900);
        var backward = new Reading(0.2, LiveBeforeBytes: 1800, LiveAfterBytes: 1100, PeakBytes: 2300);

        Assert.Equal(800 + 500, TrainingStep.PeakAboveStart(forward, backward));
    }

    [Fact]
    public void Given_a_forward_whose_transient_is_the_highest_point_When_combined_Then_the_peak_is_the_forward_peak()
    {
        var forward = new Reading(0.1, LiveBeforeBytes: 1000, LiveAfterBytes: 1800, PeakBytes: 3000);
        var backward = new Reading(0.2, LiveBeforeBytes: 1800, LiveAfterBytes: 1100, PeakBytes: 1900);

        Assert.Equal(2000, TrainingStep.PeakAboveStart(forward, backward));
    }
}
