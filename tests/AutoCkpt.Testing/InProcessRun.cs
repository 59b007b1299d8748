using System.Reflection;

namespace AutoCkpt.Testing;

/// <summary>
/// Runs a program's entry point (the tool's <c>Main</c>) in this process, with Console.Out, Console.Error and the
/// current folder swapped for the call: the real command line at a fraction of a process start. The swap is
/// process-wide, so callers run in an xunit collection that disables parallelization.
/// </summary>
public static class InProcessRun
{
    /// <summary>Invokes <paramref name="entry"/> with <paramref name="args"/> in <paramref name="workingDirectory"/>.</summary>
    public static (int Exit, string Out, string Err) Main(MethodInfo entry, string[] args, string workingDirectory)
    {
        var (oldOut, oldErr, oldDir) = (Console.Out, Console.Error, Environment.CurrentDirectory);
        var (o, e) = (new StringWriter(), new StringWriter());
        try
        {
            Console.SetOut(o);
            Console.SetError(e);
            Environment.CurrentDirectory = workingDirectory;
            int exit = (int)entry.Invoke(null, [args])!;
            return (exit, o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
            Environment.CurrentDirectory = oldDir;
        }
    }
}
