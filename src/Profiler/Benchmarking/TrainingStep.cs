using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Profiler.Measuring;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Benchmarking;

/// <summary>
/// One training step as a training app runs it, in its own DisposeScope: copy the batch to the device, zero the
/// gradients, forward and loss, backward (each measured: time and peak), optimizer step. Bytes are on the profile's scale:
/// <see cref="FixedBytes"/> plus the rise above what was live when the step started.
/// </summary>
internal sealed class TrainingStep(ICheckpointTarget target, nn.Module model, Meter meter, Device device) : IDisposable
{
    private optim.Optimizer? optimizer;

    /// <summary>Parameters, buffers, gradients, optimizer state and one batch, in bytes; 0 until measured.</summary>
    public long FixedBytes { get; private set; }

    /// <summary>
    /// After a backward (gradients exist): creates the optimizer and runs its first step, measuring its state as
    /// the profiler does (<see cref="Profiling.OptimizerState"/>), and sums the fixed bytes.
    /// </summary>
    public void CreateOptimizer((Tensor X, Tensor Y) batch)
    {
        StrategyBench.Settle();
        (optimizer, long state) = Profiling.OptimizerState.Create(target, model, device, meter);
        var parameters = model.parameters().ToList();
        FixedBytes = parameters.Sum(Bytes) + model.buffers().Sum(Bytes)
            + parameters.Select(p => p.grad).OfType<Tensor>().Sum(Bytes) + state + Bytes(batch.X) + Bytes(batch.Y);
    }

    /// <summary>
    /// A full step; returns the seconds of the forward, the backward and the step scope's disposal, their peak bytes
    /// and the loss. The disposal counts because a strategy that frees handles during the step (tidy units, recompute
    /// segments) pays for that inside the forward and backward, where the plain model pays for the same frees when
    /// the step's scope ends: timing only forward + backward read gpt2-tiny's tidy step 5-9% slower than the plain one.
    /// </summary>
    public (double Seconds, long PeakBytes, double Loss) Timed(nn.Module<Tensor, Tensor> module, (Tensor X, Tensor Y) batch)
    {
        StrategyBench.Settle();
        var scope = NewDisposeScope();
        Reading forward, backward;
        double value;
        try
        {
            var (x, y) = OnDevice(batch);
            ZeroGrad();
            Tensor? loss = null;
            forward = meter.Measure(() => loss = target.Loss(module.call(x), y));
            backward = meter.Measure(() => loss!.backward());
            value = loss!.item<float>();
            optimizer?.step();
        }
        catch
        {
            scope.Dispose();
            throw;
        }
        double dispose = meter.Time(scope.Dispose);
        return (forward.Seconds + backward.Seconds + dispose, FixedBytes + PeakAboveStart(forward, backward), value);
    }

    /// <summary>
    /// The step's peak above its start, from two readings: the forward with the loss, then the backward. The live
    /// bytes at the backward's start are exact (the growth over the forward); the highest of the forward's own peak
    /// and that plus the backward's peak is the step's. One reading over the whole step read 0.9 MiB below this on the
    /// CPU (tiny-mlp, batch 1024: 12.96 against 13.9 MiB), where a peak comes from the resident-set high-water mark,
    /// not from the allocator's live bytes (docs/benchmarks.md).
    /// </summary>
    internal static long PeakAboveStart(Reading forward, Reading backward) =>
        Math.Max(forward.PeakAboveBeforeBytes, forward.GrowthBytes + backward.PeakAboveBeforeBytes);

    /// <summary>Forward and backward without an optimizer step, for comparing gradients.</summary>
    public void Gradients(nn.Module<Tensor, Tensor> module, (Tensor X, Tensor Y) batch)
    {
        using var scope = NewDisposeScope();
        var (x, y) = OnDevice(batch);
        ZeroGrad();
        target.Loss(module.call(x), y).backward();
    }

    /// <summary>A full step with memory sampled throughout its forward and backward.</summary>
    public IReadOnlyList<MemorySample> Traced(nn.Module<Tensor, Tensor> module, (Tensor X, Tensor Y) batch)
    {
        StrategyBench.Settle();
        using var scope = NewDisposeScope();
        var (x, y) = OnDevice(batch);
        ZeroGrad();
        meter.Time(() => { });
        IReadOnlyList<MemorySample> samples;
        using (var sampler = new MemorySampler(meter.Probe, meter.Probe.LiveBytes() - FixedBytes))
        {
            target.Loss(module.call(x), y).backward();
            meter.Time(() => { });
            samples = sampler.Stop();
        }
        optimizer?.step();
        return samples;
    }

    private (Tensor, Tensor) OnDevice((Tensor X, Tensor Y) batch) =>
        device.type == DeviceType.CPU ? (batch.X.clone(), batch.Y.clone()) : (batch.X.to(device), batch.Y.to(device));

    private void ZeroGrad()
    {
        if (optimizer is not null) optimizer.zero_grad();
        else model.zero_grad();
    }

    public void Dispose() => optimizer?.Dispose();

    private static long Bytes(Tensor t) => t.NumberOfElements * t.ElementSize;
}
