using AutoCkpt.Formats;
using Spectre.Console;

namespace AutoCkpt.Cli.Output;

/// <summary>Runs a command body: AutoCkpt errors go to stderr as "file: error ACKPTnnn: message", exit code 1.</summary>
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
            Console.Error.WriteLine(e.ToString());
            return 1;
        }
    }

    /// <summary>A console on the current Console.Out; 120 columns when output is not a terminal, so logs stay readable.</summary>
    public static IAnsiConsole Create()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected) console.Profile.Width = 120;
        return console;
    }
}
