namespace AutoCkpt.Planner.CostModel;

/// <summary>What happens at a point of a training step, in the order the cost model walks it.</summary>
public enum StepPhase
{
    /// <summary>The step starts: only fixed memory is live.</summary>
    Start,
    /// <summary>A stage's forward pass (first run).</summary>
    Forward,
    /// <summary>A recompute segment's forward ended and its intermediates were disposed.</summary>
    Drop,
    /// <summary>The loss gradient (the last stage's output gradient) was created.</summary>
    LossGradient,
    /// <summary>A recompute segment's stage re-run with autograd before its backward.</summary>
    Recompute,
    /// <summary>A stage's backward pass.</summary>
    Backward,
    /// <summary>A recompute segment's backward ended and everything it made was disposed.</summary>
    Dispose,
    /// <summary>The step's DisposeScope ended: only fixed memory is live.</summary>
    End,
}

/// <summary>
/// One point of predicted memory over a training step.
/// </summary>
/// <param name="Phase">What happens.</param>
/// <param name="Stage">The stage (0-based), or -1 for step-wide points.</param>
/// <param name="IsTransientPeak">True for the peak inside a stage's forward or backward, false for the level after it.</param>
/// <param name="Seconds">Predicted time since the step started, in seconds.</param>
/// <param name="Bytes">Predicted live bytes, fixed memory included.</param>
public readonly record struct MemoryPoint(StepPhase Phase, int Stage, bool IsTransientPeak, double Seconds, long Bytes)
{
    /// <summary>A short description, e.g. "backward 3 (peak)".</summary>
    public string Label => Phase switch
    {
        StepPhase.Start or StepPhase.LossGradient or StepPhase.End => Phase.ToString().ToLowerInvariant(),
        _ => $"{Phase.ToString().ToLowerInvariant()} {Stage}{(IsTransientPeak ? " (peak)" : "")}",
    };
}
