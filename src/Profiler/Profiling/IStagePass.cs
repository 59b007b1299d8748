namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// One run of one stage in the runtime's stage chain, whose figures <see cref="StageMeasurer"/> measures: forward,
/// then the input handle released (as the chain disposes a stage's input once the stage has consumed it), then
/// backward. Disposing the pass frees everything it made. The torch implementation is <see cref="TorchStagePass"/>;
/// tests use fakes.
/// </summary>
public interface IStagePass : IDisposable
{
    /// <summary>Runs the stage's forward with autograd on its input.</summary>
    void Forward();

    /// <summary>Bytes of the output the forward made.</summary>
    long OutputBytes { get; }

    /// <summary>Drops the pass's handle to its input, as the chain does once the stage has consumed it.</summary>
    void ReleaseInput();

    /// <summary>Whether the output has a backward (false when nothing in the stage requires grad).</summary>
    bool HasBackward { get; }

    /// <summary>Creates the output gradient, so that it is live before the backward is measured.</summary>
    void PrepareBackward();

    /// <summary>Runs the backward from the output gradient.</summary>
    void Backward();
}
