using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Runtime.Loader;

namespace AutoCkpt.Fuzz.Running;

/// <summary>
/// The child side of <c>read-plan FILE FORMATS_DLL</c>: reads a plan with <c>PlanFile.Read</c>, as
/// <c>Checkpointing.Apply</c> does, from the given build of AutoCkpt.Formats (so that the fuzzer can test an older
/// build). An AckptException prints "file: error ACKPTnnn: ..." and exits 1; any other exception stays unhandled.
/// </summary>
public static class PlanReader
{
    /// <summary>Runs the child; returns its exit code.</summary>
    public static int Run(string file, string formatsDll)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(formatsDll))!;
        var context = new AssemblyLoadContext("formats-under-test");
        context.Resolving += (ctx, name) =>
        {
            string candidate = Path.Combine(folder, name.Name + ".dll");
            return File.Exists(candidate) ? ctx.LoadFromAssemblyPath(candidate) : null;
        };
        var formats = context.LoadFromAssemblyPath(Path.GetFullPath(formatsDll));
        var read = formats.GetType("AutoCkpt.Formats.Plans.PlanFile", throwOnError: true)!.GetMethod("Read", [typeof(string)])!;
        try
        {
            object plan = read.Invoke(null, [file])!;
            int segments = plan.GetType().GetProperty("Segments")!.GetValue(plan) is System.Collections.ICollection c ? c.Count : -1;
            Console.WriteLine($"read a plan of {segments} segments");
            return 0;
        }
        catch (TargetInvocationException e) when (e.InnerException?.GetType().Name == "AckptException")
        {
            Console.Error.WriteLine(e.InnerException.ToString());
            return 1;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
