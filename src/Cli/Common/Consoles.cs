using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;
using Spectre.Console;

namespace AutoCkpt.Cli.Common;

/// <summary>
/// The tool's consoles: progress and results on standard output (Spectre.Console), errors and warnings on standard
/// error as plain unwrapped lines (coloured on a terminal), so logs and tests see each message whole.
/// </summary>
internal static class Consoles
{
    private const int RedirectedWidth = 160;

    private static readonly Lazy<IAnsiConsole> OutConsole = new(() =>
    {
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected) console.Profile.Width = RedirectedWidth;
        return console;
    });

    /// <summary>Standard output.</summary>
    public static IAnsiConsole Out => OutConsole.Value;

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
