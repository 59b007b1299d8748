using AutoCkpt.MSBuild.Cli;

namespace AutoCkpt.MSBuild.Tests.Unit;

/// <summary>Stands in for the autockpt child process: records each call and answers with <see cref="Behaviour"/>.</summary>
internal sealed class FakeCommandRunner(Func<IReadOnlyList<string>, CommandResult> behaviour) : ICommandRunner
{
    public List<(string FileName, IReadOnlyList<string> Arguments, string WorkingDirectory)> Calls { get; } = [];

    public Func<IReadOnlyList<string>, CommandResult> Behaviour { get; set; } = behaviour;

    public CommandResult Run(string fileName, IReadOnlyList<string> arguments, string workingDirectory, CancellationToken cancellation)
    {
        Calls.Add((fileName, arguments, workingDirectory));
        return Behaviour(arguments);
    }

    /// <summary>A child that writes <paramref name="content"/> to its --out file and exits 0.</summary>
    public static FakeCommandRunner Writing(string content) => new(args =>
    {
        File.WriteAllText(OutPath(args), content);
        return new CommandResult(0, ["plan written"], []);
    });

    /// <summary>A child that prints <paramref name="stderr"/> and exits with <paramref name="exitCode"/>.</summary>
    public static FakeCommandRunner Failing(int exitCode, params string[] stderr) => new(_ => new CommandResult(exitCode, [], stderr));

    public static string OutPath(IReadOnlyList<string> args) => args[args.ToList().IndexOf("--out") + 1];
}
