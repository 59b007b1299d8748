using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Tests.Fakes;
using Xunit;

namespace AutoCkpt.Profiler.Tests.Measuring;

public sealed class MeterTests
{
    private readonly FakeClock _clock = new();
    private readonly FakeProbe _probe = new();

    [Fact]
    public void Given_an_action_that_allocates_and_frees_When_measured_Then_the_reading_has_its_time_growth_and_peak()
    {
        _probe.Allocate(1000);
        var meter = new Meter(_probe, _clock);

        var r = meter.Measure(() =>
        {
            _clock.Advance(0.25);
            _probe.Allocate(500);
            _probe.Allocate(300);
            _probe.Free(300);
        });

        Assert.Equal(0.25, r.Seconds, 9);
        Assert.Equal(1000, r.LiveBeforeBytes);
        Assert.Equal(1500, r.LiveAfterBytes);
        Assert.Equal(1800, r.PeakBytes);
        Assert.Equal(500, r.GrowthBytes);
        Assert.Equal(300, r.PeakAboveAfterBytes);
        Assert.Equal(800, r.PeakAboveBeforeBytes);
    }

    [Fact]
    public void Given_an_earlier_peak_When_an_action_is_measured_Then_the_peak_is_reset_first()
    {
        _probe.Allocate(5000);
        _probe.Free(5000);
        var meter = new Meter(_probe, _clock);

        var r = meter.Measure(() => _probe.Allocate(10));

        Assert.Equal(10, r.PeakBytes);
    }

    [Fact]
    public void Given_a_synchronising_device_When_measured_Then_it_synchronises_before_and_after_the_timed_span()
    {
        var events = new List<string>();
        var meter = new Meter(_probe, _clock, () => events.Add("sync"));

        meter.Measure(() => events.Add("action"));
        meter.Time(() => events.Add("action"));

        Assert.Equal(["sync", "action", "sync", "sync", "action", "sync"], events);
    }
}
