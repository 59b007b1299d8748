using AutoCkpt.Profiler.Profiling;

namespace AutoCkpt.Profiler.Tests.Fakes;

/// <summary>What one fake pass does: seconds it takes and bytes it allocates and frees.</summary>
internal sealed record FakeRun(
    double ForwardSeconds, long Retained, long ForwardScratch,
    double BackwardSeconds, long BackwardScratch, long BackwardFreed, long OutputBytes = 100, bool HasBackward = true, long InputFreed = 0);

/// <summary>A stage pass that moves a fake clock and a fake probe as its <see cref="FakeRun"/> says.</summary>
internal sealed class FakeStagePass(FakeRun run, FakeClock clock, FakeProbe probe, long outputGradBytes = 0) : IStagePass
{
    private long _held;

    public long OutputBytes => run.OutputBytes;

    public bool HasBackward => run.HasBackward;

    public void Forward()
    {
        clock.Advance(run.ForwardSeconds);
        probe.Allocate(run.Retained + run.ForwardScratch);
        probe.Free(run.ForwardScratch);
        _held += run.Retained;
    }

    public void ReleaseInput()
    {
        probe.Free(run.InputFreed);
        _held -= run.InputFreed;
    }

    public void PrepareBackward()
    {
        probe.Allocate(outputGradBytes);
        _held += outputGradBytes;
    }

    public void Backward()
    {
        clock.Advance(run.BackwardSeconds);
        probe.Allocate(run.BackwardScratch);
        probe.Free(run.BackwardScratch + run.BackwardFreed);
        _held -= run.BackwardFreed;
    }

    public void Dispose() => probe.Free(_held);
}
