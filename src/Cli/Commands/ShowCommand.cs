using System.CommandLine;

namespace AutoCkpt.Cli.Commands;

/// <summary>`autockpt show`. (Placeholder until its issue lands.)</summary>
internal static class ShowCommand
{
    public static Command Create()
    {
        var command = new Command("show", "(not built yet)");
        command.SetAction(_ => { Console.Error.WriteLine("autockpt show: not built yet"); return 2; });
        return command;
    }
}
