using System.CommandLine;

namespace AutoCkpt.Cli.Commands;

/// <summary>`autockpt profile`. (Placeholder until its issue lands.)</summary>
internal static class ProfileCommand
{
    public static Command Create()
    {
        var command = new Command("profile", "(not built yet)");
        command.SetAction(_ => { Console.Error.WriteLine("autockpt profile: not built yet"); return 2; });
        return command;
    }
}
