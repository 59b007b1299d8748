using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;

namespace AutoCkpt.Cli.Common;

/// <summary>Checks up front that an output file can be written, so a long run does not end in a write error.</summary>
internal static class OutputPath
{
    /// <summary>
    /// Checks that <paramref name="path"/> (given with <paramref name="option"/>) names a file whose nearest existing
    /// folder can be written, by writing and deleting a probe file there. Creates nothing: the folders it lacks are made
    /// when the file is written (<see cref="AtomicFile"/>), so a command that fails leaves none behind. Returns the full
    /// path. Throws <see cref="AckptException"/>: ACKPT080 the path is empty or not a path; ACKPT029 it is a folder, a
    /// folder on the way is a file, or the folder cannot be written.
    /// </summary>
    public static string EnsureWritable(string path, string option = "--out")
    {
        string full = Full(path, option);
        if (Directory.Exists(full) || Path.EndsInDirectorySeparator(path))
            throw new AckptException(ErrorCodes.OutputNotWritable, $"cannot write '{full}': it is a folder; give a file name.", full);
        string folder = Path.GetDirectoryName(full)!;
        string existing = folder;
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing))
                throw new AckptException(ErrorCodes.OutputNotWritable, $"cannot write '{full}': '{existing}' is a file, not a folder.", full);
            existing = Path.GetDirectoryName(existing)!;
        }
        string probe = Path.Combine(existing, $".autockpt-write-test.{Environment.ProcessId}.{Guid.NewGuid():N}");
        try
        {
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return full;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AckptException(ErrorCodes.OutputNotWritable,
                $"cannot write '{full}': its folder '{existing}' cannot be written ({e.Message}).", full, e);
        }
    }

    /// <summary>The full path of a path option's value; ACKPT080 when it is empty or holds characters no path can.</summary>
    public static string Full(string path, string option)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new AckptException(ErrorCodes.BadArgument, $"{option} is empty: give a file name.");
        if (path.Contains('\0', StringComparison.Ordinal))
            throw new AckptException(ErrorCodes.BadArgument, $"{option} '{path.Replace("\0", "\\0", StringComparison.Ordinal)}' holds a NUL character, which no path can.");
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new AckptException(ErrorCodes.BadArgument, $"{option} '{path}' is not a path: {e.Message}");
        }
    }
}
