using AutoCkpt.Formats;

namespace AutoCkpt.Cli.Common;

/// <summary>Checks up front that an output file can be written, so a long run does not end in a write error.</summary>
internal static class OutputPath
{
    /// <summary>
    /// Creates the file's folder if needed and writes and deletes a probe file in it. Returns the full path. Throws
    /// <see cref="AckptException"/> (ACKPT029) when the folder cannot be created or written, or the path is a folder.
    /// </summary>
    public static string EnsureWritable(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new AckptException(ErrorCodes.OutputNotWritable, $"cannot write '{full}': it is a folder; give a file name.", full);
        string probe = Path.Combine(Path.GetDirectoryName(full)!, $".autockpt-write-test.{Environment.ProcessId}.{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return full;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AckptException(ErrorCodes.OutputNotWritable,
                $"cannot write '{full}': its folder '{Path.GetDirectoryName(full)}' cannot be written ({e.Message}).", full, e);
        }
    }
}
