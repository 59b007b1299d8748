using TorchSharp;

namespace AutoCkpt.Profiler.Torch;

/// <summary>Profile dtype names ("float32", ...) for torch scalar types.</summary>
public static class DtypeNames
{
    /// <summary>The name profiles use, e.g. "float32", "bfloat16"; the lower-case enum name otherwise.</summary>
    public static string Of(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float32 => "float32",
        torch.ScalarType.Float64 => "float64",
        torch.ScalarType.Float16 => "float16",
        torch.ScalarType.BFloat16 => "bfloat16",
        _ => type.ToString().ToLowerInvariant(),
    };
}
