using System.CommandLine;

namespace AutoCkpt.Cli.Commands;

/// <summary>`autockpt plan`. (Placeholder until its issue lands.)</summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var command = new Command("plan", "(not built yet)");
        command.SetAction(_ => { Console.Error.WriteLine("autockpt plan: not built yet"); return 2; });
        return command;
    }
}
