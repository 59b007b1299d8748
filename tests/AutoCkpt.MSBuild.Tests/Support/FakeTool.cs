namespace AutoCkpt.MSBuild.Tests.Support;

/// <summary>
/// Stands in for the autockpt child process (<see cref="CliTask.InProcessTool"/>): records each call (the arguments
/// after <c>dotnet exec autockpt.dll</c> and the working folder) and answers with <see cref="Behaviour"/>.
/// </summary>
internal sealed class FakeTool(Func<IReadOnlyList<string>, (int ExitCode, IReadOnlyList<string> Output)> behaviour)
{
    public List<(IReadOnlyList<string> Arguments, string WorkingDirectory)> Calls { get; } = [];

    public (int ExitCode, IReadOnlyList<string> Output) Run(IReadOnlyList<string> arguments, string workingDirectory)
    {
        Calls.Add((arguments, workingDirectory));
        return behaviour(arguments);
    }

    /// <summary>A child that writes <paramref name="content"/> to its --out file and exits 0.</summary>
    public static FakeTool Writing(string content) => new(args =>
    {
        File.WriteAllText(OutPath(args), content);
        return (0, ["plan written"]);
    });

    /// <summary>A child that prints <paramref name="output"/> and exits with <paramref name="exitCode"/>.</summary>
    public static FakeTool Failing(int exitCode, params string[] output) => new(_ => (exitCode, output));

    public static string OutPath(IReadOnlyList<string> args) => args[args.ToList().IndexOf("--out") + 1];
}
