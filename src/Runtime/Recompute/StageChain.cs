using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Recompute;

/// <summary>Runs a run of stages one after another.</summary>
internal static class StageChain
{
    /// <summary>
    /// Runs <paramref name="stages"/> on <paramref name="input"/> the way <c>Sequential</c> does: each stage through
    /// <c>call</c> (so hooks fire), and each intermediate stage output disposed once the next stage has consumed it
    /// (autograd keeps what it saved). The input is never disposed.
    /// </summary>
    public static Tensor Run(IReadOnlyList<Stage> stages, Tensor input) => Run(stages, input, null);

    /// <summary>
    /// As <see cref="Run(IReadOnlyList{Stage}, Tensor)"/>, where the stages with <paramref name="tidy"/>[i] set run tidy
    /// (<see cref="Tidy.TidyRun"/>): each frees every handle it made but its output, and what its modules hold, as soon
    /// as it returns.
    /// </summary>
    public static Tensor Run(IReadOnlyList<Stage> stages, Tensor input, IReadOnlyList<bool>? tidy)
    {
        Tensor current = input;
        for (int i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            var next = tidy is not null && tidy[i] ? Tidy.TidyRun.Call(stage.Module, current) : stage.Module.call(current);
            DisposeIntermediate(current, input, next);
            current = next;
        }
        return current;
    }

    /// <summary>
    /// Runs <paramref name="stages"/> and disposes, as soon as each stage returns, every tensor handle the stage
    /// made except its output; intermediate outputs go once consumed. Under no-grad this leaves only the output
    /// alive; under grad, only what autograd saved. Never disposes the input; never returns the input object.
    /// </summary>
    public static Tensor RunDisposing(IReadOnlyList<Stage> stages, Tensor input)
    {
        Tensor current = input;
        foreach (var stage in stages)
        {
            Tensor next;
            using (var scope = torch.NewDisposeScope())
            {
                next = stage.Module.call(current);
                scope.MoveToOuter(next);
            }
            DisposeIntermediate(current, input, next);
            current = next;
        }
        return ReferenceEquals(current, input) ? input.alias() : current;
    }

    private static void DisposeIntermediate(Tensor current, Tensor input, Tensor next)
    {
        if (!ReferenceEquals(current, input) && !ReferenceEquals(current, next))
            current.Dispose();
    }
}
