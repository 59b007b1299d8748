namespace AutoCkpt.Formats.Errors;

/// <summary>
/// An AutoCkpt error a user can act on: a stable code (ACKPTnnn, see <see cref="ErrorCodes"/>), a message that
/// says what to do, and the file it concerns where there is one.
/// </summary>
public sealed class AckptException : Exception
{
    /// <summary>Creates an error with a code, a message and optionally the file it concerns.</summary>
    public AckptException(string code, string message, string? file = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        File = file;
    }

    /// <summary>The stable error code, e.g. ACKPT003.</summary>
    public string Code { get; }

    /// <summary>The file the error concerns, or null.</summary>
    public string? File { get; }

    /// <summary>"file: error ACKPTnnn: message", the form compilers and IDEs show.</summary>
    public override string ToString() =>
        File is null ? $"error {Code}: {Message}" : $"{File}: error {Code}: {Message}";
}
