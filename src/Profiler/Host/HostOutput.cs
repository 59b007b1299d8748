
namespace AutoCkpt.Profiler.Host;

/// <summary>Writes the host's structured messages (<see cref="HostMessage"/>) to standard output, one line each.</summary>
internal sealed class HostOutput(TextWriter writer)
{
    private readonly object _gate = new();

    public void Send(HostMessage message)
    {
        lock (_gate)
        {
            writer.WriteLine(message.ToLine());
            writer.Flush();
        }
    }

    public void Error(string code, string message, string? file = null) =>
        Send(new HostMessage("error") { Code = code, Message = message, File = file });

    public void Warning(string code, string message, string? file = null) =>
        Send(new HostMessage("warning") { Code = code, Message = message, File = file });

    public void Progress(string phase, int index, int count, string? item) =>
        Send(new HostMessage("progress") { Phase = phase, Index = index, Count = count, Item = item });

    public void Result(string file, double seconds) => Send(new HostMessage("result") { File = file, Seconds = seconds });
}
