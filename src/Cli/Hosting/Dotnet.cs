namespace AutoCkpt.Cli.Hosting;

/// <summary>Finds the <c>dotnet</c> executable that runs builds and hosts.</summary>
internal static class Dotnet
{
    /// <summary>
    /// DOTNET_HOST_PATH when the SDK set it (dotnet run, dotnet test), else this process's own host when it is
    /// <c>dotnet</c>, else <c>dotnet</c> from PATH.
    /// </summary>
    public static string Path
    {
        get
        {
            string? hostPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(hostPath) && File.Exists(hostPath)) return hostPath;
            string? self = Environment.ProcessPath;
            if (self is not null && System.IO.Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
            return "dotnet";
        }
    }
}
