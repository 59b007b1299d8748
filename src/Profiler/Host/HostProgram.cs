using System.Reflection;
using System.Runtime.CompilerServices;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Profiler.Torch;

namespace AutoCkpt.Profiler.Host;

/// <summary>
/// The host's entry point. The tool runs it inside the user's app:
/// <c>dotnet exec --depsfile app.deps.json --runtimeconfig app.runtimeconfig.json AutoCkpt.Profiler.dll &lt;verb&gt; ...</c>,
/// so AutoCkpt.Runtime, TorchSharp and libtorch are the app's own. Results and errors go to standard output as
/// <see cref="HostMessage"/> lines; the exit code is a <see cref="HostExitCodes"/> value.
/// </summary>
public static class HostProgram
{
    private static readonly string[] AppDependencies = ["AutoCkpt.Runtime", "AutoCkpt.Formats", "TorchSharp"];

    /// <summary>Runs one verb: <c>profile --assembly PATH [--target NAME] [--device cpu|cuda] ...</c>.</summary>
    public static int Main(string[] args)
    {
        HostAssemblyResolver.Install();
        var output = new HostOutput(Console.Out);
        // Checked before any method that names their types is compiled, so a missing one is a clear error.
        foreach (var name in AppDependencies)
        {
            try
            {
                Assembly.Load(name);
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                output.Send(new HostMessage("error")
                {
                    Code = ErrorCodes.NoTarget,
                    Message = $"the app does not carry {name}: a project with checkpoint targets references AutoCkpt.Runtime (and so TorchSharp). {e.Message}",
                });
                return HostExitCodes.Error;
            }
        }
        return Run(args, output);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Run(string[] args, HostOutput output)
    {
        IHostVerb[] verbs = [new ProfileVerb(), new BenchVerb()];
        var verb = args.Length > 0 ? verbs.FirstOrDefault(v => v.Name == args[0]) : null;
        if (verb is null)
        {
            Console.Error.WriteLine($"usage: AutoCkpt.Profiler.dll <{string.Join('|', verbs.Select(v => v.Name))}> --name value ...");
            return HostExitCodes.Usage;
        }
        try
        {
            return verb.Run(HostArgs.Parse(args[1..]), output);
        }
        catch (HostUsageException e)
        {
            Console.Error.WriteLine(e.Message);
            return HostExitCodes.Usage;
        }
        catch (AckptException e)
        {
            output.Error(e.Code, e.Message, e.File);
            return HostExitCodes.Error;
        }
        catch (Exception e) when (OutOfMemory.Is(e))
        {
            output.Error(ErrorCodes.OutOfMemory, $"the device ran out of memory: {FirstLine(e)} Try a smaller --batch-size.");
            return HostExitCodes.Error;
        }
        catch (Exception e)
        {
            var inner = e is TargetInvocationException { InnerException: { } x } ? x : e;
            Console.Error.WriteLine(inner);
            output.Error(ErrorCodes.TargetFailed, $"the target's code failed: {inner.GetType().Name}: {FirstLine(inner)} (stack trace above).");
            return HostExitCodes.Crash;
        }
    }

    internal static string FirstLine(Exception e) =>
        e.Message.Split('\n', 2)[0].Trim();
}
