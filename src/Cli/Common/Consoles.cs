using AutoCkpt.Formats;
using Spectre.Console;

namespace AutoCkpt.Cli.Common;

/// <summary>The tool's consoles: results on standard output, errors and warnings on standard error.</summary>
internal static class Consoles
{
    private static readonly Lazy<IAnsiConsole> ErrorConsole = new(() =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }));

    public static IAnsiConsole Out => AnsiConsole.Console;

    public static IAnsiConsole Error => ErrorConsole.Value;

    /// <summary>Writes "file: error ACKPTnnn: message" in red on standard error; returns exit code 1.</summary>
    public static int Fail(AckptException e)
    {
        Error.Write(new Text(e.ToString() + Environment.NewLine, new Style(Color.Red)));
        return 1;
    }

    /// <summary>Writes "file: warning ACKPTnnn: message" in yellow on standard error.</summary>
    public static void Warn(string code, string message, string? file)
    {
        string text = (file is null ? "" : file + ": ") + $"warning {code}: {message}";
        Error.Write(new Text(text + Environment.NewLine, new Style(Color.Yellow)));
    }
}
