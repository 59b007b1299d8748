using AutoCkpt.Formats.Errors;

namespace AutoCkpt.Cli.Common;

/// <summary>
/// The tool's error lines: errors and warnings on standard error as plain unwrapped lines (coloured on a terminal), so
/// logs and tests see each message whole. Progress and results go to the console each command gets from
/// <see cref="CliRun"/>.
/// </summary>
internal static class Consoles
{
    /// <summary>Writes "file: error ACKPTnnn: message" on standard error; returns exit code 1.</summary>
    public static int Fail(AckptException e)
    {
        ErrorLine(e.ToString(), "31");
        return 1;
    }

    /// <summary>Writes "file: warning ACKPTnnn: message" on standard error.</summary>
    public static void Warn(string code, string message, string? file) =>
        ErrorLine((file is null ? "" : file + ": ") + $"warning {code}: {message}", "33");

    /// <summary>Writes a line on standard error as it is.</summary>
    public static void ErrorLine(string text) => ErrorLine(text, null);

    private static void ErrorLine(string text, string? ansiColour)
    {
        if (ansiColour is null || Console.IsErrorRedirected) Console.Error.WriteLine(text);
        else Console.Error.WriteLine($"\u001b[{ansiColour}m{text}\u001b[0m");
    }
}
