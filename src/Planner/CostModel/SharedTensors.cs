using AutoCkpt.Formats.Profiles;

namespace AutoCkpt.Planner.CostModel;

/// <summary>
/// Where a stage's output is freed when more than its consumer holds it (docs/cost-model.md, "Tensors held by two"). The
/// profile measures each stage alone: its input's handle released after the forward (<c>input_freed_bytes</c>), the input
/// released in its backward when the stage saved it (in <c>backward_freed_bytes</c>), its own output held through its
/// backward. In a step the input may be held longer by the model's forward, to the end of the step
/// (<see cref="StageProfile.InputHeldBytes"/>, H_i): a kept stage frees none of it, and a recompute segment's saved input
/// is not freed after its backward. Inside a recompute segment the runtime disposes the handles the model's forward would
/// hold. The profile's <see cref="StageProfile.SavedOutputBytes"/> (a stage's output that its own autograd saves, held by
/// two where the next stage saves it too) is measured but not used: where it matters depends on whether the previous
/// stage is recomputed, which a kept unit's arc does not see; counting it regardless over-predicted suite-conv-bn-dropout's
/// uniform_4 by 6% (docs/benchmarks.md, "Tensors held by two"). Profiles without the keys read as before.
/// </summary>
public sealed class SharedTensors
{
    /// <summary>Computes the effective figures of <paramref name="stages"/> (kept figures as the profile gives them, tidy or plain).</summary>
    public SharedTensors(IReadOnlyList<StageProfile> stages)
    {
        int n = stages.Count;
        var effective = new StageProfile[n];
        RecomputeInputFreed = new long[n];
        InputRelease = new long[n];
        for (int i = 0; i < n; i++)
        {
            var s = stages[i];
            long input = i > 0 ? stages[i - 1].OutputBytes : 0;
            long held = i > 0 ? Math.Clamp(s.InputHeldBytes, 0, input) : 0;
            long others = held;
            long inputFreed = Math.Clamp(s.InputFreedBytes, 0, input);
            // The part of the input the stage saves is released in its backward (D counts it) unless another holds it;
            // the part it does not save is freed with its handle unless another holds it.
            long keptInputFreed = inputFreed - Math.Min(inputFreed, others);
            long keptBackwardShift = Math.Min(input - inputFreed, others);
            effective[i] = keptBackwardShift == 0 && keptInputFreed == s.InputFreedBytes
                ? s
                : s with
                {
                    InputFreedBytes = keptInputFreed,
                    BackwardFreedBytes = s.BackwardFreedBytes - keptBackwardShift,
                    // A kept unit recomputing a sub-module saves its input as the whole unit does: the same release moves.
                    SubModules = [.. s.SubModules.Select(m => m with { BackwardFreedBytes = m.BackwardFreedBytes - keptBackwardShift })],
                    // Old profiles without recompute figures: the plain ones stand in, as measured.
                    Recompute = s.Recompute ?? new RecomputeFigures(s.RetainedBytes, s.BackwardTransientBytes, s.BackwardFreedBytes),
                };
            RecomputeInputFreed[i] = inputFreed;
            InputRelease[i] = input - held;
        }
        Stages = effective;
    }

    /// <summary>
    /// Per stage, its figures with the kept ones (<c>input_freed_bytes</c>, <c>backward_freed_bytes</c>) moved to where
    /// the step frees the shared tensors; the recompute figures as measured.
    /// </summary>
    public IReadOnlyList<StageProfile> Stages { get; }

    /// <summary>Per stage: what disposing its input's handle frees inside a recompute segment (I_i).</summary>
    public long[] RecomputeInputFreed { get; }

    /// <summary>
    /// Per stage: what a recompute segment starting there frees of its saved input after its backward when the segment
    /// before it is also recomputed: O_{i−1} less what the model's forward holds (0 for the first stage).
    /// </summary>
    public long[] InputRelease { get; }
}
