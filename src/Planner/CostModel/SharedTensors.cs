using AutoCkpt.Formats.Profiles;

namespace AutoCkpt.Planner.CostModel;

/// <summary>
/// Where a stage's output is freed when more than its consumer holds it (docs/cost-model.md, "Tensors held by two"). The
/// profile measures each stage alone: its input's handle released after the forward (<c>input_freed_bytes</c>), the input
/// released in its backward when the stage saved it (in <c>backward_freed_bytes</c>), its own output held through its
/// backward. In a step the input may be held longer by two others:
/// <list type="bullet">
/// <item>the model's forward, to the end of the step (<see cref="StageProfile.InputHeldBytes"/>, H_i): a kept stage frees
/// none of it, and a recompute segment's saved input is not freed after its backward;</item>
/// <item>the previous stage's autograd, to the end of that stage's backward (<see cref="StageProfile.SavedOutputBytes"/>
/// of stage i−1, S_{i−1}), but only where stage i−1 ran with autograd in the forward (kept): a recompute segment's output
/// is made without autograd, so nothing saves it.</item>
/// </list>
/// The kept figures assume the stage before is kept: stage i frees <see cref="KeptInputRelease"/> less of its input (its
/// handle first, then its backward) and a kept stage i−1 frees it in its own backward instead, where it is live at the
/// backward's start and, for the part the profile measured freed early (<see cref="StageProfile.SavedOutputFreedEarlyBytes"/>:
/// a ReLU frees its saved output in the backward's first operation), not at its peak. Where stage i−1 ends a
/// recompute segment, stage i frees that part after its backward (the walk and every solver add it there, as
/// <see cref="InputRelease"/> between two recompute segments). Inside a recompute segment the runtime disposes the
/// handles the model's forward would hold. Profiles without the keys read as before.
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
        KeptInputRelease = new long[n];
        KeptHandleRelease = new long[n];
        var handleShift = new long[n];
        var backwardShift = new long[n];
        var inputFreedAll = new long[n];
        for (int i = 0; i < n; i++)
        {
            var s = stages[i];
            long input = i > 0 ? stages[i - 1].OutputBytes : 0;
            long held = i > 0 ? Math.Clamp(s.InputHeldBytes, 0, input) : 0;
            long inputFreed = Math.Clamp(s.InputFreedBytes, 0, input);
            // The part of the input the stage saves is released in its backward (D counts it) unless another holds it;
            // the part it does not save is freed with its handle unless another holds it.
            long fromHandle = Math.Min(inputFreed, held);
            long fromBackward = Math.Min(input - inputFreed, held);
            // What the previous stage's autograd saves beyond that, where it is kept: its handle frees none of it first,
            // then its backward none, and the previous stage's backward frees it.
            long saved = i > 0 ? Math.Max(0, Math.Clamp(stages[i - 1].SavedOutputBytes, 0, input) - held) : 0;
            long savedHandle = Math.Min(inputFreed - fromHandle, saved);
            long savedBackward = Math.Min(input - inputFreed - fromBackward, saved - savedHandle);
            handleShift[i] = fromHandle + savedHandle;
            backwardShift[i] = fromBackward + savedBackward;
            KeptInputRelease[i] = savedHandle + savedBackward;
            KeptHandleRelease[i] = savedHandle;
            inputFreedAll[i] = inputFreed;
            RecomputeInputFreed[i] = inputFreed;
            InputRelease[i] = input - held;
        }
        for (int i = 0; i < n; i++)
        {
            var s = stages[i];
            // This stage's backward frees its input's shifted part, less; and its output's saved part the next kept stage leaves,
            // which is live at its backward's start and, where the stage frees it in its first operations, not at its peak.
            long ownSaved = i + 1 < n ? KeptInputRelease[i + 1] : 0;
            long backward = backwardShift[i] - ownSaved;
            long early = Math.Clamp(s.SavedOutputFreedEarlyBytes, 0, ownSaved);
            long keptInputFreed = inputFreedAll[i] - handleShift[i];
            effective[i] = backward == 0 && early == 0 && keptInputFreed == s.InputFreedBytes
                ? s
                : s with
                {
                    InputFreedBytes = keptInputFreed,
                    BackwardFreedBytes = s.BackwardFreedBytes - backward,
                    BackwardTransientBytes = Math.Max(0, s.BackwardTransientBytes - early),
                    // A kept unit recomputing a sub-module saves its input as the whole unit does: the same release moves.
                    SubModules = [.. s.SubModules.Select(m => m with { BackwardFreedBytes = m.BackwardFreedBytes - backward, BackwardTransientBytes = Math.Max(0, m.BackwardTransientBytes - early) })],
                    // Old profiles without recompute figures: the plain ones stand in, as measured.
                    Recompute = s.Recompute ?? new RecomputeFigures(s.RetainedBytes, s.BackwardTransientBytes, s.BackwardFreedBytes),
                };
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

    /// <summary>
    /// Per stage: what a kept stage (or a kept unit recomputing a sub-module) frees of its input after its backward when
    /// the stage before it ends a recompute segment, whose output no autograd saves: the part of the previous stage's
    /// <c>saved_output_bytes</c> that its kept figures leave to that stage's backward (0 for the first stage).
    /// </summary>
    public long[] KeptInputRelease { get; }

    /// <summary>
    /// Per stage: the part of <see cref="KeptInputRelease"/> that a kept stage after a recompute segment frees with its
    /// input's handle, right after its forward (it does not save it); the rest goes after its backward.
    /// </summary>
    public long[] KeptHandleRelease { get; }
}
