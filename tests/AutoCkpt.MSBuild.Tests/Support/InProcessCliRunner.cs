using System.Reflection;
using System.Runtime.Loader;

namespace AutoCkpt.MSBuild.Tests.Support;

/// <summary>
/// Runs the real autockpt command line (the build's autockpt.dll) in this process, in its own load context with its own
/// dependencies, for <c>dotnet exec autockpt.dll ARGS</c> (<see cref="CliTask.InProcessTool"/>): the task sees its real
/// exit code, output and plan file, at a fraction of a process start. Swaps Console.Out and Console.Error while it runs:
/// use it in <see cref="ConsoleCollection"/>.
/// </summary>
internal static class InProcessCliRunner
{
    private static readonly Lazy<MethodInfo> Entry = new(() =>
        new CliLoadContext(RepoPaths.CliAssembly).LoadFromAssemblyPath(RepoPaths.CliAssembly).EntryPoint!);

    public static (int ExitCode, IReadOnlyList<string> Output) Run(IReadOnlyList<string> arguments, string workingDirectory)
    {
        var (oldOut, oldErr, oldDir) = (Console.Out, Console.Error, Environment.CurrentDirectory);
        var (o, e) = (new StringWriter(), new StringWriter());
        try
        {
            Console.SetOut(o);
            Console.SetError(e);
            Environment.CurrentDirectory = workingDirectory;
            int exit = (int)Entry.Value.Invoke(null, [arguments.ToArray()])!;
            return (exit, [.. Lines(o), .. Lines(e)]);
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
            Environment.CurrentDirectory = oldDir;
        }
    }

    private static string[] Lines(StringWriter w) => w.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

    private sealed class CliLoadContext(string mainAssembly) : AssemblyLoadContext("autockpt-cli")
    {
        private readonly AssemblyDependencyResolver _resolver = new(mainAssembly);

        protected override Assembly? Load(AssemblyName name) =>
            _resolver.ResolveAssemblyToPath(name) is { } path ? LoadFromAssemblyPath(path) : null;

        protected override IntPtr LoadUnmanagedDll(string name) =>
            _resolver.ResolveUnmanagedDllToPath(name) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}

/// <summary>Tests that swap Console.Out run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
