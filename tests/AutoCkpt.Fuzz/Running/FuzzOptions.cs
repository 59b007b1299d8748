namespace AutoCkpt.Fuzz.Running;

/// <summary>How to fuzz: how many inputs, from which seed, against which build of the tool.</summary>
public sealed record FuzzOptions
{
    /// <summary>The number of mutated inputs.</summary>
    public int Count { get; init; } = 3000;
    /// <summary>The random seed: the same seed gives the same inputs.</summary>
    public int Seed { get; init; } = 7;
    /// <summary>The tool under test, autockpt.dll (its folder's AutoCkpt.Formats.dll is the runtime's plan reader).</summary>
    public required string CliDll { get; init; }
    /// <summary>This fuzzer's own dll, which reads plans in a child process (<c>read-plan</c>).</summary>
    public required string FuzzDll { get; init; }
    /// <summary>Where the cases run; failing inputs are kept under failures/.</summary>
    public required string WorkFolder { get; init; }
    /// <summary>Cases run at once.</summary>
    public int Jobs { get; init; } = Math.Max(1, Environment.ProcessorCount);
    /// <summary>How long one command may run before it counts as a hang.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Also try the special files: /dev/zero, a FIFO, a folder, an empty and an oversize file.</summary>
    public bool SpecialFiles { get; init; } = true;

    /// <summary>The AutoCkpt.Formats.dll next to <see cref="CliDll"/>.</summary>
    public string FormatsDll => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(CliDll))!, "AutoCkpt.Formats.dll");
}
