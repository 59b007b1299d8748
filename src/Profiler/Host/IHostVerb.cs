namespace AutoCkpt.Profiler.Host;

/// <summary>
/// One thing the host does inside the user's app (profile; bench later). Add a verb by implementing this and listing
/// it in <see cref="HostProgram"/>; the tool starts it with <c>AutoCkpt.Profiler.dll &lt;name&gt; --arg value ...</c>.
/// </summary>
internal interface IHostVerb
{
    /// <summary>The verb's name on the host's command line.</summary>
    string Name { get; }

    /// <summary>Runs the verb; returns a <see cref="HostExitCodes"/> value. AckptExceptions are reported by the caller.</summary>
    int Run(HostArgs args, HostOutput output);
}
