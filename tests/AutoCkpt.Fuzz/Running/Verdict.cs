using System.Text.RegularExpressions;
using AutoCkpt.Testing;

namespace AutoCkpt.Fuzz.Running;

/// <summary>What the tool did with one input, best first: the first two are the only acceptable ones.</summary>
public enum Verdict
{
    /// <summary>Exit 0, and what it wrote reads back.</summary>
    Valid,
    /// <summary>Exit 1 with an ACKPTnnn code and no stack trace; output file unchanged, nothing left behind.</summary>
    CodedError,
    /// <summary>Killed at the timeout.</summary>
    Hang,
    /// <summary>Ended by a signal or abort (stack overflow, unhandled exception): exit code not 0 or 1.</summary>
    Crash,
    /// <summary>A stack trace or "Unhandled exception" in its output, whatever the exit code.</summary>
    StackTrace,
    /// <summary>Exit 1 without an ACKPTnnn code.</summary>
    Uncoded,
    /// <summary>It failed but changed the output file.</summary>
    OutputChanged,
    /// <summary>It left temporary files or folders behind.</summary>
    StrayFiles,
    /// <summary>It succeeded, but the file it wrote does not read back.</summary>
    UnreadableOutput,
}

/// <summary>Classifies a child's result.</summary>
public static partial class Verdicts
{
    /// <summary>True for <see cref="Verdict.Valid"/> and <see cref="Verdict.CodedError"/>.</summary>
    public static bool IsAcceptable(this Verdict v) => v is Verdict.Valid or Verdict.CodedError;

    /// <summary>
    /// The verdict on one command, from its exit code and output alone; its class (the verdict and the cause, for
    /// counting: "Crash: stack overflow") and a one-line detail (the message).
    /// </summary>
    public static (Verdict Verdict, string Class, string Detail) Of(ProcessResult r)
    {
        string all = r.Out + "\n" + r.Error;
        string message = Message(all);
        if (r.TimedOut) return (Verdict.Hang, "Hang", $"no exit after {r.Seconds:0.0} s");
        if (r.ExitCode is not (0 or 1)) return (Verdict.Crash, $"Crash: {CrashCause(all)}", $"exit {r.ExitCode}: {message}");
        if (all.Contains("Unhandled exception", StringComparison.Ordinal) || StackLine().IsMatch(all))
            return (Verdict.StackTrace, $"StackTrace: {CrashCause(all)}", message);
        if (r.ExitCode == 1 && !Code().IsMatch(all)) return (Verdict.Uncoded, "Uncoded", FirstLine(r.Error.Length > 0 ? r.Error : r.Out));
        return r.ExitCode == 0 ? (Verdict.Valid, "Valid", "") : (Verdict.CodedError, "CodedError: " + Code().Match(all).Value, FirstLine(r.Error));
    }

    // The exception's message, or the first line of output.
    private static string Message(string output)
    {
        var m = Unhandled().Match(output);
        if (!m.Success) m = ExceptionType().Match(output);
        return FirstLine(m.Success ? output[m.Index..] : output);
    }

    /// <summary>"Stack overflow", the unhandled exception's type, or the first line of output.</summary>
    public static string CrashCause(string output)
    {
        if (output.Contains("Stack overflow", StringComparison.Ordinal)) return "stack overflow";
        var m = Unhandled().Match(output);
        if (m.Success) return "unhandled " + m.Groups[1].Value;
        var t = ExceptionType().Match(output);
        return t.Success ? t.Groups[1].Value : FirstLine(output);
    }

    private static string FirstLine(string s)
    {
        string line = s.Trim().Split('\n')[0].Trim();
        return line.Length > 160 ? line[..160] : line;
    }

    [GeneratedRegex(@"ACKPT\d{3}")]
    private static partial Regex Code();

    [GeneratedRegex(@"^\s+at [\w.`<>\[\],+|]+\(", RegexOptions.Multiline)]
    private static partial Regex StackLine();

    [GeneratedRegex(@"Unhandled exception[.:]\s*([\w.]+)")]
    private static partial Regex Unhandled();

    [GeneratedRegex(@"(System\.[\w.]*Exception|YamlDotNet\.[\w.]*Exception)")]
    private static partial Regex ExceptionType();
}
