using System.CommandLine;
using System.CommandLine.Help;
using AutoCkpt.Formats.Errors;

namespace AutoCkpt.Cli.Common;

/// <summary>
/// Parses and runs the command line so that every failure is one coded line on standard error: System.CommandLine's
/// own parse errors (a missing or unknown option, a value of the wrong type, a response file not found) become
/// <c>error ACKPT080: ...</c>, and an exception that is not an <see cref="AckptException"/> (a bug) becomes
/// <c>error ACKPT082: ...</c> with no stack trace unless AUTOCKPT_TRACE=1. Exit code 1 on any failure.
/// </summary>
internal static class CommandLineRun
{
    /// <summary>The environment variable that adds the stack trace to an ACKPT082 error.</summary>
    public const string TraceVariable = "AUTOCKPT_TRACE";

    public static int Invoke(RootCommand root, string[] args)
    {
        try
        {
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
            {
                foreach (var error in parse.Errors.Select(e => e.Message).Distinct())
                    Consoles.Fail(new AckptException(ErrorCodes.BadArgument, WithoutCode(error)));
                string command = parse.CommandResult.Command is RootCommand ? "" : parse.CommandResult.Command.Name + " ";
                Consoles.ErrorLine($"Run 'autockpt {command}--help' for its options.");
                return 1;
            }
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (AckptException e)
        {
            return Consoles.Fail(e);
        }
        catch (Exception e)
        {
            bool trace = Environment.GetEnvironmentVariable(TraceVariable) == "1";
            Consoles.Fail(new AckptException(ErrorCodes.InternalError,
                $"autockpt failed unexpectedly ({e.GetType().Name}: {OneLine(e.Message)}). This is a bug: please report it with this line" +
                (trace ? "." : $"; set {TraceVariable}=1 to add the stack trace.")));
            if (trace) Consoles.ErrorLine(e.ToString());
            return 1;
        }
    }

    /// <summary>One line, without a code a validator put in front ("error ACKPT080: ..."): the line gets its own.</summary>
    private static string WithoutCode(string message)
    {
        string prefix = $"error {ErrorCodes.BadArgument}: ";
        string text = message.StartsWith(prefix, StringComparison.Ordinal) ? message[prefix.Length..] : message;
        return string.Join(" ", text.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
