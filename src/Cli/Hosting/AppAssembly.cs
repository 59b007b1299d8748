using AutoCkpt.Formats.Errors;


namespace AutoCkpt.Cli.Hosting;

/// <summary>A built app: its assembly and the files <c>dotnet exec</c> needs to run code in its dependency context.</summary>
/// <param name="AssemblyPath">The app's main assembly (.dll), full path.</param>
/// <param name="DepsFile">Its .deps.json.</param>
/// <param name="RuntimeConfig">Its .runtimeconfig.json, or null for a class library (the host's own is used then).</param>
internal sealed record AppAssembly(string AssemblyPath, string DepsFile, string? RuntimeConfig)
{
    /// <summary>The folder the app was built to.</summary>
    public string Directory => Path.GetDirectoryName(AssemblyPath)!;

    /// <summary>
    /// The app built as <paramref name="dll"/>, with its .deps.json and .runtimeconfig.json found beside it.
    /// Throws <see cref="AckptException"/> (ACKPT030) when the assembly or its .deps.json is missing.
    /// </summary>
    public static AppAssembly FromDll(string dll, string? depsFile = null, string? runtimeConfig = null)
    {
        string full = Path.GetFullPath(dll);
        if (!File.Exists(full))
            throw new AckptException(ErrorCodes.ProjectMissing, $"'{full}' does not exist: give a .csproj to build or a built .dll.", full);
        string deps = depsFile ?? Path.ChangeExtension(full, ".deps.json");
        if (!File.Exists(deps))
            throw new AckptException(ErrorCodes.ProjectMissing,
                $"'{Path.GetFileName(deps)}' is missing beside '{full}': give the .csproj, or the .dll in the folder 'dotnet build' wrote.", full);
        string config = runtimeConfig ?? Path.ChangeExtension(full, ".runtimeconfig.json");
        return new AppAssembly(full, Path.GetFullPath(deps), File.Exists(config) ? Path.GetFullPath(config) : null);
    }
}
