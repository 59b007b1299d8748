using AutoCkpt.Formats.Errors;
using AutoCkpt.Recompute;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// Checks, on the profiling batch, that a model's chain of stages computes the model's own forward, since AutoCkpt
/// profiles, plans and trains the stages and not the forward (docs/profiler.md, "The forward check"):
/// <list type="number">
/// <item>the model's forward runs once (<c>model.call</c>), with forward hooks on every stage module recording each
/// call's input and output, and the parameters it reaches are read from the gradient of its output's sum;</item>
/// <item>from the same random state and buffers, the stages run one after another under no-grad, and each stage's
/// input and output are compared with the forward's.</item>
/// </list>
/// The first stage where the two part is named: ACKPT037 when the forward calls a stage's module another number of
/// times than <c>Stages</c> lists it (a stage listed twice, or one the forward never runs), ACKPT035 when a stage's
/// input, a stage's output or the model's output differs (work between stages such as a scale or a skip, a stage
/// missing or out of order). ACKPT036 names each trainable parameter the forward reaches but no stage owns. The CPU
/// and CUDA random states and every buffer (batch-norm statistics) are put back afterwards, so what runs next sees
/// the same state as without the check. Cost: one forward and backward with grad, one forward without, and one
/// copy of each stage's output.
/// </summary>
public static class ForwardCheck
{
    /// <summary>The largest max |difference| that passes, relative to the forward's max |value| (float32 and float64).</summary>
    public const double Tolerance = 1e-5;

    /// <summary>The same for float16 and bfloat16.</summary>
    public const double HalfTolerance = 1e-2;

    /// <summary>Parameters named at most in one ACKPT036 message.</summary>
    private const int MaxNamed = 10;

    /// <summary>
    /// Runs the check on <paramref name="input"/>. Throws <see cref="AckptException"/> ACKPT035, ACKPT036 or ACKPT037;
    /// the model's own exceptions pass through. Random states and buffers are restored whether it throws or not.
    /// Returns, per stage, whether the model's forward still held a handle on the stage's input when it returned
    /// (<see cref="ForwardTrace.InputHeld"/>): the profile's <c>input_held_bytes</c>.
    /// </summary>
    public static bool[] Run(nn.Module<Tensor, Tensor> model, IReadOnlyList<Stage> stages, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stages);
        var device = input.device;
        using var rng = RngSnapshot.CaptureNow(device);
        using var buffers = BufferSnapshot.Take(model.buffers().DistinctBy(b => b.Handle).ToList());
        // Where the CUDA generator's state cannot be read, both passes start from one seed (the CUDA stream that
        // follows is then that seed's, not the one before the check).
        long? cudaSeed = device.type == DeviceType.CUDA && !CudaRngState.Available ? DrawSeed() : null;
        try
        {
            using var scope = NewDisposeScope();
            SeedCuda(cudaSeed);
            var trace = ForwardTrace.Record(model, stages, input);
            bool[] held = [.. stages.Select(s => trace.InputHeld(s.Module, input))];
            var unowned = ReachedButNotOwned(model, stages, trace.Output);
            var output = trace.Output.detach();
            rng.Restore();
            buffers.Restore();
            SeedCuda(cudaSeed);
            CompareChain(model, stages, input, trace, output, unowned);
            if (unowned.Count > 0)
                throw new AckptException(ErrorCodes.ParameterNotOwned,
                    $"{Describe(model)}'s forward reaches {Parameters(unowned)} that no stage owns. AutoCkpt runs and recomputes the stages, " +
                    "so such a parameter is missing from the model's fingerprint and from the stages' measured costs. Register it on the " +
                    "module of the stage that uses it (for example a positional embedding on the embedding stage), or add a stage that owns it.");
            return held;
        }
        finally
        {
            rng.Restore();
            buffers.Restore();
        }
    }

    /// <summary>Runs the stages as the runtime does and compares each with the forward's record, in stage order.</summary>
    private static void CompareChain(nn.Module model, IReadOnlyList<Stage> stages, Tensor input, ForwardTrace trace, Tensor output, IReadOnlyList<string> unowned)
    {
        using var noGrad = no_grad();
        Tensor x = input;
        for (int i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            var listedAt = Enumerable.Range(0, stages.Count).Where(j => ReferenceEquals(stages[j].Module, stage.Module)).ToList();
            var calls = trace.CallsOf(stage.Module);
            if (calls.Count != listedAt.Count)
                throw new AckptException(ErrorCodes.StageCallCount,
                    $"stage '{stage.Name}' is listed {Times(listedAt.Count)} in {Describe(model)}'s stages (at {(listedAt.Count == 1 ? "position" : "positions")} " +
                    $"{string.Join(", ", listedAt.Select(j => j + 1))} of {stages.Count}) but its forward calls that module {Times(calls.Count)}. AutoCkpt would run it {Times(listedAt.Count)} per step. " +
                    (calls.Count < listedAt.Count
                        ? "Remove the extra entry, or the stage the forward does not run."
                        : "List it once for every call, in the order the forward makes them."));
            var call = calls[listedAt.IndexOf(i)];
            string from = i == 0 ? "the batch" : $"stage '{stages[i - 1].Name}''s output";
            if (Difference(x, call.Input) is { } inputDiff)
                throw new AckptException(ErrorCodes.StagesNotForward,
                    $"the stages do not compute {Describe(model)}'s forward: they part at stage '{stage.Name}' (position {i + 1} of {stages.Count}), whose input " +
                    $"differs ({inputDiff}). In the chain of stages it gets {from}; the forward gives it something else: work between stages " +
                    "(a scale, a skip or residual connection), a stage missing from the list, or stages out of order. Move that work into a stage, " +
                    "so that running the stages one after another is the forward." + Hint(unowned));
            var y = stage.Module.call(x);
            if (Difference(y, call.Output) is { } outputDiff)
                throw new AckptException(ErrorCodes.StagesNotForward,
                    $"the stages do not compute {Describe(model)}'s forward: they part at stage '{stage.Name}' (position {i + 1} of {stages.Count}), whose output " +
                    $"differs ({outputDiff}) though its input is the same. The forward runs it with other state: random numbers drawn between stages, " +
                    "a flag set around the call, or a stage that is not deterministic. AutoCkpt runs and recomputes the stage on its input alone.");
            if (!ReferenceEquals(x, input) && !ReferenceEquals(x, y)) x.Dispose();
            x = y;
        }
        if (Difference(x, output) is { } finalDiff)
            throw new AckptException(ErrorCodes.StagesNotForward,
                $"the stages do not compute {Describe(model)}'s forward: its output differs from the last stage '{stages[^1].Name}''s output ({finalDiff}). " +
                "The forward does work after the last stage; move it into a stage." + Hint(unowned));
    }

    /// <summary>The names (from <c>named_parameters</c>) of the trainable parameters the output depends on that no stage owns.</summary>
    private static IReadOnlyList<string> ReachedButNotOwned(nn.Module model, IReadOnlyList<Stage> stages, Tensor output)
    {
        var named = model.named_parameters().Where(p => p.parameter.requires_grad).DistinctBy(p => p.parameter.Handle).ToList();
        if (!output.requires_grad || named.Count == 0) return [];
        var sum = output.sum();
        var grads = autograd.grad([sum], named.Select(p => (Tensor)p.parameter).ToList(), [ones_like(sum)], retain_graph: false, create_graph: false, allow_unused: true);
        var owned = stages.SelectMany(s => s.Module.parameters()).Select(p => p.Handle).ToHashSet();
        var unowned = new List<string>();
        for (int i = 0; i < named.Count; i++)
            if (grads[i] is { IsInvalid: false } && !owned.Contains(named[i].parameter.Handle))
                unowned.Add(named[i].name);
        return unowned;
    }

    /// <summary>Null when <paramref name="actual"/> matches <paramref name="expected"/>, else what differs.</summary>
    internal static string? Difference(Tensor actual, Tensor expected)
    {
        if (actual.dtype != expected.dtype) return $"dtype {actual.dtype} against {expected.dtype} in the forward";
        if (!actual.shape.SequenceEqual(expected.shape))
            return $"shape [{string.Join(", ", actual.shape)}] against [{string.Join(", ", expected.shape)}] in the forward";
        if (actual.device_type != expected.device_type || actual.device_index != expected.device_index) return $"device {actual.device} against {expected.device} in the forward";
        if (actual.Equals(expected)) return null;
        if (!actual.is_floating_point()) return "different values";
        using var scope = NewDisposeScope();
        var a = actual.to(float64);
        var e = expected.to(float64);
        if (!a.isnan().Equals(e.isnan())) return "NaN in other places than in the forward";
        var d = (a - e).abs();
        d = where(d.isnan(), zeros_like(d), d);
        double max = d.max().item<double>();
        double scale = where(e.isnan(), zeros_like(e), e).abs().max().item<double>();
        double tolerance = actual.dtype is ScalarType.Float16 or ScalarType.BFloat16 ? HalfTolerance : Tolerance;
        if (max <= tolerance * scale) return null;
        return FormattableString.Invariant($"max |difference| {max:G3}, the forward's max |value| {scale:G3}");
    }

    private static string Describe(nn.Module model) => model.GetType().Name;

    private static string Times(int n) => n == 1 ? "once" : n == 2 ? "twice" : $"{n} times";

    private static string Parameters(IReadOnlyList<string> names)
    {
        string list = string.Join(", ", names.Take(MaxNamed).Select(n => $"'{n}'"));
        if (names.Count > MaxNamed) list += $" and {names.Count - MaxNamed} more";
        return names.Count == 1 ? $"parameter {list}" : $"parameters {list}";
    }

    private static string Hint(IReadOnlyList<string> unowned) =>
        unowned.Count == 0 ? "" : $" The forward also reaches {Parameters(unowned)} that no stage owns: a module left out of the stages?";

    private static long DrawSeed()
    {
        using var scope = NewDisposeScope();
        return randint(long.MaxValue, [1], dtype: int64).item<long>();
    }

    private static void SeedCuda(long? seed)
    {
        if (seed is { } s) cuda.manual_seed(s);
    }
}
