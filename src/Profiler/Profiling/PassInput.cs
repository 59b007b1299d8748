namespace AutoCkpt.Profiler.Profiling;

/// <summary>What a pass's input is, as the unit sees it in a training step.</summary>
internal enum PassInput
{
    /// <summary>The batch, or any input that needs no gradient: used as it is, never released.</summary>
    Batch,
    /// <summary>
    /// The previous stage's output in the runtime's stage chain, or a unit's input in place: a fresh non-leaf, released
    /// after the forward (what the model's forward holds of it is the profile's <c>input_held_bytes</c>).
    /// </summary>
    Chained,
}
