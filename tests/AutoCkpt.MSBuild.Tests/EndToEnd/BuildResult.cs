using System.Text.RegularExpressions;

namespace AutoCkpt.MSBuild.Tests.EndToEnd;

/// <summary>One ACKPT error or warning as the build log shows it.</summary>
public sealed record LoggedDiagnostic(bool IsError, string Code, string File, string Message);

/// <summary>What a `dotnet` command printed and how it exited.</summary>
public sealed record BuildResult(string Command, int ExitCode, string Output)
{
    private static readonly Regex Diagnostic = new(@"^\s*(?:\d+>)?(?<file>.*?)(?:\(\d+(?:,\d+)?\))?\s*:\s*(?:AutoCkpt\s+)?(?<kind>error|warning)\s+(?<code>ACKPT\d{3})\s*:\s*(?<msg>.*?)(?:\s+\[[^\]]*\])?\s*$", RegexOptions.Multiline);

    /// <summary>The ACKPT errors and warnings in the log, each once.</summary>
    public IReadOnlyList<LoggedDiagnostic> Diagnostics =>
        Diagnostic.Matches(Output).Select(m => new LoggedDiagnostic(m.Groups["kind"].Value == "error", m.Groups["code"].Value, m.Groups["file"].Value.Trim(), m.Groups["msg"].Value))
            .Distinct().ToList();

    /// <summary>True when the plan task ran (it logs this line whenever it finishes).</summary>
    public bool PlanTaskRan => Output.Contains("AutoCkpt: plan ");

    /// <summary>The command, exit code and log, for assertion messages.</summary>
    public override string ToString() => $"{Command} exited {ExitCode}\n{Output}";
}
