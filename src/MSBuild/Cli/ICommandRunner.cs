namespace AutoCkpt.MSBuild.Cli;

/// <summary>What a finished child process left: its exit code and its output, line by line.</summary>
internal sealed record CommandResult(int ExitCode, IReadOnlyList<string> StandardOutput, IReadOnlyList<string> StandardError);

/// <summary>Runs a child process to completion. The real one starts a process; tests pass a fake.</summary>
internal interface ICommandRunner
{
    /// <summary>Runs <paramref name="fileName"/> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    CommandResult Run(string fileName, IReadOnlyList<string> arguments, string workingDirectory, CancellationToken cancellation);
}
