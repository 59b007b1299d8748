using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// What the model's own forward did with its stage modules, recorded through forward hooks (they fire through
/// <c>call()</c>, facts §8): every call of each stage module, in order, with a copy of its input and output. An input
/// that is the batch, or the previous call's output unchanged, is not copied again. The copies live in the caller's
/// dispose scope.
/// </summary>
internal sealed class ForwardTrace
{
    private readonly Dictionary<nn.Module, List<StageCall>> _calls = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<nn.Module, List<Tensor>> _inputs = new(ReferenceEqualityComparer.Instance);

    private ForwardTrace(Tensor output) => Output = output;

    /// <summary>The model's output, with its autograd graph.</summary>
    public Tensor Output { get; private set; }

    /// <summary>The calls of <paramref name="module"/>, in the order the forward made them.</summary>
    public IReadOnlyList<StageCall> CallsOf(nn.Module module) => _calls.TryGetValue(module, out var calls) ? calls : [];

    /// <summary>
    /// Whether the model's forward still held a handle on the input of <paramref name="module"/>'s first call when it
    /// returned (not the batch, not disposed): a forward that loops <c>x = block.call(x)</c> keeps every earlier
    /// <c>x</c> to the end of the step, where a <c>Sequential</c> disposes it once the next module returned.
    /// </summary>
    public bool InputHeld(nn.Module module, Tensor batch) =>
        _inputs.TryGetValue(module, out var inputs) && inputs.Count > 0 && Held(inputs[0], [batch]);

    /// <summary>
    /// Whether a module's <paramref name="input"/>, read when the model's forward returned, is still held by it: not one of
    /// the model's own inputs (<paramref name="modelInputs"/>) and its handle not disposed. Shared with the in-place
    /// profiler (<c>StepRecorder</c>), which reads it in the real step.
    /// </summary>
    public static bool Held(Tensor? input, IEnumerable<Tensor> modelInputs) =>
        input is not null && !modelInputs.Any(b => ReferenceEquals(b, input)) && !input.IsInvalid;

    /// <summary>Runs <c>model.call(input)</c> with hooks on every stage module, and removes them afterwards.</summary>
    public static ForwardTrace Record(nn.Module<Tensor, Tensor> model, IReadOnlyList<Stage> stages, Tensor input)
    {
        var trace = new ForwardTrace(input);
        var pending = new Stack<Tensor>();
        var originals = new Stack<Tensor>();
        Tensor? lastOutput = null;
        Tensor? lastOutputCopy = null;
        var removers = new List<Action>();
        foreach (var module in stages.Select(s => s.Module).Distinct(ReferenceEqualityComparer.Instance).Cast<nn.Module<Tensor, Tensor>>())
        {
            trace._calls[module] = [];
            trace._inputs[module] = [];
            removers.Add(module.register_forward_pre_hook((m, x) =>
            {
                pending.Push(InputCopy(x, input, lastOutput, lastOutputCopy));
                originals.Push(x);
                return null!;
            }).remove);
            removers.Add(module.register_forward_hook((m, x, y) =>
            {
                var copy = Copy(y);
                trace._calls[m].Add(new StageCall(pending.Pop(), copy));
                trace._inputs[m].Add(originals.Pop());
                lastOutput = y;
                lastOutputCopy = copy;
                return y;
            }).remove);
        }
        try
        {
            trace.Output = model.call(input);
        }
        finally
        {
            foreach (var remove in removers) remove();
        }
        return trace;
    }

    /// <summary>The input itself when it is the batch, the last output's copy when it is that output unchanged, else a copy.</summary>
    private static Tensor InputCopy(Tensor x, Tensor batch, Tensor? lastOutput, Tensor? lastOutputCopy)
    {
        if (ReferenceEquals(x, batch)) return batch;
        if (ReferenceEquals(x, lastOutput) && lastOutputCopy is not null && !x.IsInvalid && x.Equals(lastOutputCopy)) return lastOutputCopy;
        return Copy(x);
    }

    private static Tensor Copy(Tensor t)
    {
        using var noGrad = no_grad();
        return t.detach().clone();
    }
}

/// <summary>One call of a stage module in the model's forward: copies of its input and output.</summary>
internal sealed record StageCall(Tensor Input, Tensor Output);
