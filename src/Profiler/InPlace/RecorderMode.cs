namespace AutoCkpt.Profiler.InPlace;

/// <summary>What the hooks of a <see cref="StepRecorder"/> do in the step that runs next.</summary>
internal enum RecorderMode
{
    /// <summary>Count calls only.</summary>
    Count,
    /// <summary>Count calls and copy each unit's inputs (the isolated passes run on them).</summary>
    Capture,
    /// <summary>Count calls and take laps: hooks in the forward, backward marks in the backward.</summary>
    Measure,
}
