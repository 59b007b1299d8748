using AutoCkpt.Formats.Errors;
using AutoCkpt.Profiler.Host;


namespace AutoCkpt.Cli.Hosting;

/// <summary>
/// Runs a host verb (profile; bench later) inside a built app, the way <c>dotnet ef</c> does:
/// <c>dotnet exec --depsfile app.deps.json --runtimeconfig app.runtimeconfig.json [--additionalprobingpath NUGET]
/// host/AutoCkpt.Profiler.dll VERB ARGS</c>, so the app's own AutoCkpt.Runtime, TorchSharp and libtorch are used.
/// The host's structured lines go to <c>onMessage</c>; anything else the app prints is relayed.
/// </summary>
internal static class HostLauncher
{
    /// <summary>The host assembly, shipped in host/ beside the tool.</summary>
    public static string HostAssembly => Path.Combine(AppContext.BaseDirectory, "host", "AutoCkpt.Profiler.dll");

    /// <summary>
    /// The environment the host needs for <paramref name="deviceType"/>'s memory probe to read true figures: CUDA
    /// allocations from the driver's pool, or freed CPU blocks returned to the OS; and no tiered JIT, whose background
    /// recompilation allocates native memory while stages are measured.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Environment(string deviceType)
    {
        var env = new Dictionary<string, string> { ["DOTNET_TieredCompilation"] = "0" };
        if (deviceType == "cuda") env["PYTORCH_CUDA_ALLOC_CONF"] = "backend:cudaMallocAsync";
        else env["MALLOC_MMAP_THRESHOLD_"] = "16384"; // CpuMemoryProbe.MmapThresholdBytes, from the process's start
        // OpenMP threads that spin while waiting made CPU steps 5-20x slower on a busy 2-core machine (load 15):
        // profile and bench alike wait passively, unless the user chose a policy.
        if (deviceType == "cpu" && string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable("OMP_WAIT_POLICY")))
            env["OMP_WAIT_POLICY"] = "PASSIVE";
        return env;
    }

    /// <summary>The full <c>dotnet</c> argument list that runs <paramref name="verb"/> in <paramref name="app"/>.</summary>
    public static IReadOnlyList<string> Arguments(AppAssembly app, string verb, IEnumerable<string> verbArgs)
    {
        var args = new List<string> { "exec", "--depsfile", app.DepsFile, "--runtimeconfig", app.RuntimeConfig ?? Path.ChangeExtension(HostAssembly, ".runtimeconfig.json") };
        string? packages = NuGetPackages();
        if (packages is not null) args.AddRange(["--additionalprobingpath", packages]);
        args.Add(HostAssembly);
        args.Add(verb);
        args.AddRange(verbArgs);
        return args;
    }

    /// <summary>
    /// Runs the verb and waits. Returns the "result" message. Throws <see cref="AckptException"/> with the
    /// host's code when it reports an error, ACKPT028 when the system killed it (out of memory), ACKPT032 otherwise.
    /// </summary>
    public static HostMessage? Run(AppAssembly app, string verb, IEnumerable<string> verbArgs, string deviceType,
        Action<HostMessage> onMessage, Action<string> onOutput, Action<string> onError)
    {
        if (!File.Exists(HostAssembly))
            throw new AckptException(ErrorCodes.TargetFailed, $"the tool's host is missing at '{HostAssembly}': rebuild or reinstall the tool.", HostAssembly);
        HostMessage? error = null;
        HostMessage? result = null;
        int exit = ProcessRunner.Run(Dotnet.Path, Arguments(app, verb, verbArgs), line =>
        {
            if (!HostMessage.TryParse(line, out var message)) { onOutput(line); return; }
            if (message.Kind == "error") error = message;
            if (message.Kind == "result") result = message;
            onMessage(message);
        }, onError, Environment(deviceType));
        if (exit == 0) return result;
        if (error?.Code is { } code)
            throw new AckptException(code, error.Message ?? "(no message)", error.File);
        if (exit is 137 or -9)
            throw new AckptException(ErrorCodes.OutOfMemory,
                "the process running the model was killed by the system, most likely for running out of memory: try a smaller --batch-size.");
        throw new AckptException(ErrorCodes.TargetFailed,
            $"running the target failed (exit code {exit}){(error?.Message is { } m ? ": " + m : "")}; its output is above.", app.AssemblyPath);
    }

    /// <summary>
    /// An error about the model the user's project builds that the host reported without a file (ACKPT008: no
    /// stages) names the project, as every other error names its file.
    /// </summary>
    public static AckptException OnProject(AckptException e, string project) =>
        e.File is null && e.Code == ErrorCodes.ModelNotStaged ? new AckptException(e.Code, e.Message, Path.GetFullPath(project), e) : e;

    private static string? NuGetPackages()
    {
        string? env = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        string path = !string.IsNullOrEmpty(env) ? env
            : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Directory.Exists(path) ? path : null;
    }
}
