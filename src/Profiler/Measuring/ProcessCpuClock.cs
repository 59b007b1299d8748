using System.Runtime.InteropServices;

namespace AutoCkpt.Profiler.Measuring;

/// <summary>
/// A clock that reads the process's CPU time (<c>clock_gettime(CLOCK_PROCESS_CPUTIME_ID)</c>: every thread, user and
/// system), for measuring on a machine that other work keeps busy, where wall-clock steps moved by ±50% from one to
/// the next (docs/cost-model.md, "Step time"). Chosen with <c>AUTOCKPT_CLOCK=process-cpu</c> (<see cref="FromEnvironment"/>);
/// with <c>OMP_NUM_THREADS=1</c> it reads what the step's wall time would be on an idle machine. Not for CUDA, whose
/// kernels run off the CPU. Linux only.
/// </summary>
public sealed class ProcessCpuClock : TimeProvider
{
    /// <summary>The environment variable that chooses the clock: <c>process-cpu</c>, or unset for the wall clock.</summary>
    public const string Variable = "AUTOCKPT_CLOCK";

    private const int ClockProcessCpuTimeId = 2;

    /// <summary>The clock <see cref="Variable"/> selects: this one for <c>process-cpu</c> on Linux, else <see cref="TimeProvider.System"/>.</summary>
    public static TimeProvider FromEnvironment() =>
        Environment.GetEnvironmentVariable(Variable) == "process-cpu" && OperatingSystem.IsLinux() ? new ProcessCpuClock() : System;

    /// <inheritdoc />
    public override long TimestampFrequency => 1_000_000_000;

    /// <inheritdoc />
    public override long GetTimestamp()
    {
        if (clock_gettime(ClockProcessCpuTimeId, out var ts) != 0)
            throw new InvalidOperationException("clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed.");
        return ts.Seconds * 1_000_000_000 + ts.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int clock_gettime(int clockId, out TimeSpec ts);
}
