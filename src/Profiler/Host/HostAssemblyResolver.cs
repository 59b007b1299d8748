using System.Reflection;
using System.Runtime.Loader;

namespace AutoCkpt.Profiler.Host;

/// <summary>
/// Lets the host load assemblies that ship beside it (host/ in the tool) but are not in the user's app, e.g. a
/// future verb's library. The app's own assemblies always win: this only runs when normal resolution fails.
/// </summary>
internal static class HostAssemblyResolver
{
    private static int _installed;

    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1) return;
        string dir = Path.GetDirectoryName(typeof(HostAssemblyResolver).Assembly.Location)!;
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            string path = Path.Combine(dir, name.Name + ".dll");
            return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
        };
    }

    /// <summary>Loads the user's assembly: from the app's dependency list when it is there, else from its path.</summary>
    public static Assembly LoadApp(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            var loaded = Assembly.Load(AssemblyName.GetAssemblyName(full));
            return loaded;
        }
        catch (FileNotFoundException)
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyPath(full);
        }
    }
}
