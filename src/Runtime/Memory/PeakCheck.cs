using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Memory;

/// <summary>
/// The runtime's peak check (<see cref="CheckpointOptions.CheckPeak"/>; docs/runtime.md, "The peak check"): one step of
/// the app measured with the device's probe, from one forward of the model to the next (its forward, loss, backward and
/// optimizer step), and put on the plan's scale: the profile's fixed bytes F (the plan's <c>predicted.fixed_bytes</c>)
/// plus the step's rise above what was live when its forward started, as <c>autockpt bench</c> and <c>plan --verify</c>
/// count it. The measured step is the first that starts with every trainable parameter's gradient made (the app's
/// second; the first makes the gradients and the optimizer state that F already counts), and at the latest the
/// second; gradients missing at its start are taken off its rise, F holding them. Over the cap: warning ACKPT010, once.
/// </summary>
internal sealed class PeakCheck
{
    private readonly nn.Module _model;
    private readonly Plan _plan;
    private readonly string? _planFile;
    private readonly Action<string> _warn;
    private readonly IMemoryProbe _probe;
    private readonly long _fixedBytes;
    private int _forwards;
    private bool _measuring;
    private long _liveAtStart;
    private long _missingGradientBytes;

    private PeakCheck(nn.Module model, Plan plan, string? planFile, Action<string> warn, IMemoryProbe probe, long fixedBytes)
    {
        _model = model;
        _plan = plan;
        _planFile = planFile;
        _warn = warn;
        _probe = probe;
        _fixedBytes = fixedBytes;
    }

    /// <summary>True once the step was measured (or the check gave up): nothing more is read.</summary>
    public bool Done { get; private set; }

    /// <summary>The measured step's peak on the plan's scale (F + rise), in bytes; null until measured.</summary>
    public long? MeasuredPeakBytes { get; private set; }

    /// <summary>
    /// The check for <paramref name="plan"/> on <paramref name="model"/>'s device, or null, with warning ACKPT011 through
    /// <paramref name="warn"/>, when the plan has no cap or no fixed bytes or no probe can read a peak here.
    /// <paramref name="probe"/> replaces the device's probe (tests).
    /// </summary>
    public static PeakCheck? Create(nn.Module model, Plan plan, string? planFile, Action<string> warn, IMemoryProbe? probe = null)
    {
        if (plan.MemoryCapBytes <= 0 || plan.Predicted?.FixedBytes is not { } fixedBytes)
        {
            warn(Warning(planFile, ErrorCodes.PeakCheckUnavailable,
                "CheckPeak is on, but the plan has no memory cap or no predicted fixed bytes (a plan written before them, or made in memory): " +
                "there is nothing to compare a step's peak with. Plan again with this version's 'autockpt plan' to check it."));
            return null;
        }
        if (probe is null)
        {
            var device = model.parameters().FirstOrDefault()?.device ?? CPU;
            try
            {
                probe = MemoryProbes.For(device);
            }
            catch (Exception e) when (e is AckptException or PlatformNotSupportedException or DllNotFoundException or EntryPointNotFoundException)
            {
                warn(Warning(planFile, ErrorCodes.PeakCheckUnavailable,
                    $"CheckPeak is on, but no peak can be read on {device.type.ToString().ToLowerInvariant()} here ({e.Message}) The plan runs unchecked."));
                return null;
            }
        }
        return new PeakCheck(model, plan, planFile, warn, probe, fixedBytes);
    }

    /// <summary>A forward of the model starts (the root's pre-hook): starts or ends the measured step.</summary>
    public void Forward()
    {
        if (Done) return;
        _forwards++;
        if (_measuring)
        {
            Finish();
            return;
        }
        long missing = MissingGradientBytes();
        if (missing > 0 && _forwards < 2) return;
        Synchronize();
        _missingGradientBytes = missing;
        _liveAtStart = _probe.LiveBytes();
        _probe.ResetPeak();
        _measuring = true;
    }

    private void Finish()
    {
        Synchronize();
        long rise = Math.Max(0, _probe.PeakBytes() - _liveAtStart - _missingGradientBytes);
        long measured = _fixedBytes + rise;
        MeasuredPeakBytes = measured;
        Done = true;
        _measuring = false;
        if (measured <= _plan.MemoryCapBytes) return;
        string predicted = _plan.Predicted is { } p ? $", predicted {Size(p.PeakBytes)}" : "";
        _warn(Warning(_planFile, ErrorCodes.PeakOverCap,
            $"the plan {(_planFile is null ? "(in memory)" : $"'{Path.GetFileName(_planFile)}'")} for {_plan.Target} peaked at {Size(measured)} in a training step " +
            $"({Size(_fixedBytes)} fixed + {Size(rise)} over the step's start, read by the {_probe.DeviceType} probe), over its memory cap of " +
            $"{Size(_plan.MemoryCapBytes)} by {Size(measured - _plan.MemoryCapBytes)}{predicted}. The step may run out of memory where the cap is all there is: " +
            "run 'autockpt plan --verify' (it tightens the plan by the measured miss), or plan with a lower cap."));
    }

    /// <summary>Bytes of the trainable parameters' gradients that do not exist now (each parameter once).</summary>
    private long MissingGradientBytes()
    {
        long missing = 0;
        foreach (var p in _model.parameters().Where(p => p.requires_grad).DistinctBy(p => p.Handle))
        {
            using var grad = p.grad;
            if (grad is null || grad.IsInvalid) missing += p.NumberOfElements * p.ElementSize;
        }
        return missing;
    }

    private void Synchronize()
    {
        if (_probe.DeviceType == "cuda" && cuda.is_available()) cuda.synchronize();
    }

    private static string Size(long bytes) => MemoryCap.Format(bytes);

    private static string Warning(string? file, string code, string message) =>
        file is null ? $"warning {code}: {message}" : $"{file}: warning {code}: {message}";
}
