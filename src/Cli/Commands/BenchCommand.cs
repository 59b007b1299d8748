using System.CommandLine;

namespace AutoCkpt.Cli.Commands;

/// <summary>`autockpt bench`. (Placeholder until its issue lands.)</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "(not built yet)");
        command.SetAction(_ => { Console.Error.WriteLine("autockpt bench: not built yet"); return 2; });
        return command;
    }
}
