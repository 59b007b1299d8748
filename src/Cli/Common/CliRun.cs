using AutoCkpt.Formats.Errors;
using Spectre.Console;

namespace AutoCkpt.Cli.Common;

/// <summary>Runs a command body: AutoCkpt errors go to stderr as "file: error ACKPTnnn: message" (<see cref="Consoles.Fail"/>), exit code 1.</summary>
internal static class CliRun
{
    public static int Guard(Func<IAnsiConsole, int> body)
    {
        try
        {
            return body(Create());
        }
        catch (AckptException e)
        {
            return Consoles.Fail(e);
        }
    }

    /// <summary>
    /// A console on the current Console.Out, made per command so that a host that redirects Console.Out (tests,
    /// an in-process caller) sees the output; 160 columns when output is not a terminal, so that logs keep rows whole.
    /// </summary>
    public static IAnsiConsole Create()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected) console.Profile.Width = 160;
        return console;
    }
}
