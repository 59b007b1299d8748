using AutoCkpt.InPlace;
using AutoCkpt.Recompute;
using AutoCkpt.Units;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.InPlace;

/// <summary>
/// The hooks the in-place profiler puts on the model and on each unit (docs/profiler.md, "Units in place"): calls are
/// counted in every mode; in <see cref="RecorderMode.Capture"/> each unit's inputs are copied (a tensor passed to
/// several units, such as the rotary tables, once); in <see cref="RecorderMode.Measure"/> each hook takes a lap, and
/// <see cref="BackwardMark"/>s on the units' outputs and inputs and on the model's output take laps in the backward.
/// A unit's pre-hook takes its lap before placing the input marks and its post-hook after placing the output mark, so
/// the marks' own work falls inside the unit's span (whose bytes the isolated passes measure, not the laps).
/// </summary>
internal sealed class StepRecorder : IDisposable
{
    private readonly Meter _meter;
    private readonly IReadOnlyList<Unit> _units;
    private readonly List<Action> _hooks = [];
    private readonly List<Tensor> _parameters;
    private readonly Tensor?[] _outputs;
    private readonly Dictionary<Tensor, Tensor> _copies = new(ReferenceEqualityComparer.Instance);
    private readonly Tensor?[] _firstInputs;
    private Tensor[] _modelInputs = [];

    public StepRecorder(Meter meter, nn.Module model, IReadOnlyList<Unit> units)
    {
        _meter = meter;
        _units = units;
        _parameters = [.. model.parameters()];
        _outputs = new Tensor?[units.Count];
        Calls = new int[units.Count];
        Chained = new bool[units.Count];
        Captured = new object?[units.Count][];
        FirstRequiresGrad = new bool[units.Count];
        FirstInputBytes = new long[units.Count];
        OutputTypes = new Type?[units.Count];
        InputHeld = new bool[units.Count];
        _firstInputs = new Tensor?[units.Count];
        try
        {
            _hooks.Add(UnitHooks.Register(model, new DelegateHook(ModelPre, ModelPost)));
            for (int i = 0; i < units.Count; i++)
            {
                int index = i;
                _hooks.Add(UnitHooks.Register(units[i].Module, new DelegateHook(args => UnitPre(index, args), (args, y) => UnitPost(index, y))));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public RecorderMode Mode { get; set; }

    /// <summary>The laps of the step in <see cref="RecorderMode.Measure"/>; set before it runs.</summary>
    public StepLaps? Laps { get; set; }

    public int ModelCalls { get; private set; }
    public int[] Calls { get; }
    public List<int> Order { get; } = [];

    /// <summary>Per unit: its first tensor input was the previous unit's output, as returned (captured step).</summary>
    public bool[] Chained { get; }

    /// <summary>Per unit: its inputs in the captured step, tensors copied (detached).</summary>
    public object?[][] Captured { get; }

    /// <summary>Per unit: whether its first tensor input required grad (captured step).</summary>
    public bool[] FirstRequiresGrad { get; }

    /// <summary>Per unit: bytes of its first tensor input (captured step).</summary>
    public long[] FirstInputBytes { get; }

    /// <summary>Per unit: the type its call returned (captured step).</summary>
    public Type?[] OutputTypes { get; }

    /// <summary>
    /// Per unit: whether the model's forward still held its first tensor input when it returned (captured step,
    /// <see cref="ForwardTrace.Held"/>): a forward that loops <c>x = block.call(x)</c> keeps every earlier <c>x</c> to
    /// the end of the step. The profile's <c>input_held_bytes</c>.
    /// </summary>
    public bool[] InputHeld { get; }

    /// <summary>The model's first tensor input in the captured step: its shape and bytes.</summary>
    public long[] InputShape { get; private set; } = [];
    public long InputBytes { get; private set; }

    /// <summary>Bytes of the parameters' gradients when the model's forward started (measured steps): 0 when the step sets them to none.</summary>
    public long GradientBytesAtStart { get; private set; }

    /// <summary>Bytes of the model's output (captured step).</summary>
    public long OutputBytes { get; private set; }

    /// <summary>An exception a backward mark caught (it cannot leave a backward: the process would stop).</summary>
    public Exception? BackwardFailure { get; private set; }

    /// <summary>Clears the counts before a step.</summary>
    public void ResetCounts()
    {
        ModelCalls = 0;
        Array.Clear(Calls);
        Order.Clear();
        Array.Clear(_outputs);
    }

    private object?[]? ModelPre(object?[] args)
    {
        ModelCalls++;
        if (Mode == RecorderMode.Capture && FirstTensor(args) is { } x)
        {
            InputShape = [.. x.shape];
            InputBytes = args.OfType<Tensor>().Sum(Torch.TensorBytes.Of);
            _modelInputs = [.. args.OfType<Tensor>()];
        }
        if (Mode == RecorderMode.Measure && Laps is { } laps && ModelCalls == 1)
        {
            GradientBytesAtStart = Torch.TensorBytes.GradientBytes(_parameters);
            laps.Start = _meter.Lap();
        }
        return null;
    }

    private object? ModelPost(object?[] args, object? y)
    {
        if (Mode == RecorderMode.Capture && ModelCalls == 1)
        {
            for (int i = 0; i < _units.Count; i++) InputHeld[i] = ForwardTrace.Held(_firstInputs[i], _modelInputs);
            // Only handles are kept here, never read again: the step's scope disposes them.
            Array.Clear(_firstInputs);
            _modelInputs = [];
        }
        if (y is not Tensor output) return y;
        if (Mode == RecorderMode.Capture) OutputBytes = Torch.TensorBytes.Of(output);
        if (Mode != RecorderMode.Measure || Laps is not { } laps || ModelCalls != 1) return y;
        laps.ModelOutput = _meter.Lap();
        var marked = BackwardMark.Apply(output, () => Record(() => laps.LossGradient = _meter.Lap()));
        laps.AfterModelOutputMark = _meter.Lap();
        return marked;
    }

    private object?[]? UnitPre(int i, object?[] args)
    {
        Calls[i]++;
        Order.Add(i);
        var first = FirstTensor(args);
        if (Mode == RecorderMode.Capture && Calls[i] == 1)
        {
            Chained[i] = i > 0 && first is not null && ReferenceEquals(first, _outputs[i - 1]);
            FirstRequiresGrad[i] = first?.requires_grad ?? false;
            FirstInputBytes[i] = first is null ? 0 : Torch.TensorBytes.Of(first);
            Captured[i] = [.. args.Select(a => a is Tensor t ? Copy(t) : a)];
            _firstInputs[i] = first;
        }
        if (Mode != RecorderMode.Measure || Laps is not { } laps || Calls[i] != 1) return null;
        laps.Pre[i] = _meter.Lap();
        object?[]? replaced = null;
        for (int k = 0; k < args.Length; k++)
        {
            if (args[k] is not Tensor t || !t.requires_grad) continue;
            replaced ??= (object?[])args.Clone();
            replaced[k] = BackwardMark.Apply(t, () => Record(() => laps.InputGradient[i] = _meter.Lap()));
        }
        return replaced;
    }

    private object? UnitPost(int i, object? y)
    {
        if (Calls[i] == 1 && Mode == RecorderMode.Capture) OutputTypes[i] = y?.GetType();
        if (y is not Tensor output)
            return y;
        if (Mode == RecorderMode.Measure && Laps is { } laps && Calls[i] == 1)
        {
            output = BackwardMark.Apply(output, () => Record(() => laps.OutputGradient[i] = _meter.Lap()));
            laps.Post[i] = _meter.Lap();
        }
        _outputs[i] = output;
        return output;
    }

    private Tensor Copy(Tensor t)
    {
        if (!_copies.TryGetValue(t, out var copy))
        {
            copy = t.detach().clone().DetachFromDisposeScope();
            _copies[t] = copy;
        }
        return copy;
    }

    /// <summary>Runs a backward mark's work; an exception is kept for after the step (it may not leave a backward).</summary>
    private void Record(Action lap)
    {
        try
        {
            lap();
        }
        catch (Exception e)
        {
            BackwardFailure ??= e;
        }
    }

    private static Tensor? FirstTensor(object?[] args) => args.OfType<Tensor>().FirstOrDefault();

    /// <summary>Removes the hooks (the copies stay until <see cref="ReleaseCopies"/>).</summary>
    public void Dispose()
    {
        foreach (var remove in _hooks) remove();
        _hooks.Clear();
        DeferredDisposal.Flush();
    }

    /// <summary>Disposes the copied inputs.</summary>
    public void ReleaseCopies()
    {
        foreach (var t in _copies.Values) t.Dispose();
        _copies.Clear();
        Array.Clear(Captured);
    }

}
