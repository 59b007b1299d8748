using AutoCkpt.Formats;
using AutoCkpt.Profiler.Measuring;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Benchmarking;

/// <summary>
/// One training step as a training app runs it, in its own DisposeScope: copy the batch to the device, zero the
/// gradients, forward, loss, backward (measured: time and peak), optimizer step. Bytes are on the bench's scale
/// (live bytes less <c>zero</c>, what was live before the model was made).
/// </summary>
internal sealed class TrainingStep(
    ICheckpointTarget target, nn.Module model, optim.Optimizer? optimizer, Meter meter, Device device, long zero)
{
    /// <summary>A full step; returns the forward + backward seconds, their peak bytes and the loss.</summary>
    public (double Seconds, long PeakBytes, double Loss) Timed(nn.Module<Tensor, Tensor> module, (Tensor X, Tensor Y) batch)
    {
        StrategyBench.Settle();
        using var scope = NewDisposeScope();
        var (x, y) = OnDevice(batch);
        ZeroGrad();
        Tensor? loss = null;
        var reading = meter.Measure(() =>
        {
            loss = target.Loss(module.call(x), y);
            loss.backward();
        });
        double value = loss!.item<float>();
        optimizer?.step();
        return (reading.Seconds, reading.PeakBytes - zero, value);
    }

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
        IReadOnlyList<MemorySample> samples;
        using (var sampler = new MemorySampler(meter.Probe, zero))
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
}
