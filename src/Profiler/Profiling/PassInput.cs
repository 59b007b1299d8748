namespace AutoCkpt.Profiler.Profiling;

/// <summary>What a pass's input is, as the unit sees it in a training step.</summary>
internal enum PassInput
{
    /// <summary>The batch, or any input that needs no gradient: used as it is, never released.</summary>
    Batch,
    /// <summary>The previous stage's output in the runtime's stage chain: a fresh non-leaf, released after the forward.</summary>
    Chained,
    /// <summary>An input the model's own forward holds to the end of the step (units in place): a fresh non-leaf, never released.</summary>
    Held,
}
