namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// One run of one stage, forward then backward, whose figures <see cref="StageMeasurer"/> measures. Disposing it
/// frees everything the run made. The torch implementation is <see cref="TorchStagePass"/>; tests use fakes.
/// </summary>
public interface IStagePass : IDisposable
{
    /// <summary>Runs the stage's forward with autograd on its input.</summary>
    void Forward();

    /// <summary>Bytes of the output the forward made.</summary>
    long OutputBytes { get; }

    /// <summary>Whether the output has a backward (false when nothing in the stage requires grad).</summary>
    bool HasBackward { get; }

    /// <summary>Creates the output gradient, so that it is live before the backward is measured.</summary>
    void PrepareBackward();

    /// <summary>Runs the backward from the output gradient.</summary>
    void Backward();
}
