namespace AutoCkpt.Testing;

/// <summary>What one child process did (<see cref="ChildProcess"/>).</summary>
/// <param name="Command">The command line, for messages.</param>
/// <param name="ExitCode">Its exit code, or null when it ran past its limit and was killed.</param>
/// <param name="Out">Everything it wrote on standard output.</param>
/// <param name="Error">Everything it wrote on standard error.</param>
/// <param name="Seconds">How long it ran.</param>
public sealed record ProcessResult(string Command, int? ExitCode, string Out, string Error, double Seconds)
{
    /// <summary>True when it ran past its limit and was killed.</summary>
    public bool TimedOut => ExitCode is null;

    /// <summary>This result, or a <see cref="TimeoutException"/> when the process ran past its limit.</summary>
    public ProcessResult Finished() => TimedOut ? throw new TimeoutException($"'{Command}' ran over its limit ({Seconds:0} s).") : this;

    public override string ToString() => $"exit {ExitCode?.ToString() ?? "none (killed at its limit)"}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}
