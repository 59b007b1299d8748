namespace AutoCkpt.Formats;

/// <summary>Writes files so that readers see the old file or the whole new one, never a half-written one.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="text"/> to a temporary file beside <paramref name="path"/> and renames it over the
    /// target. Throws <see cref="AckptException"/> (ACKPT029) when the folder cannot be written.
    /// </summary>
    public static void WriteAllText(string path, string text)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(tmp, text);
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { if (File.Exists(tmp)) File.Delete(tmp); } catch (IOException) { }
            throw new AckptException(ErrorCodes.OutputNotWritable, $"cannot write '{full}': {e.Message}", full, e);
        }
    }

    /// <summary>Writes only when the content differs; returns true when the file was written.</summary>
    public static bool WriteIfChanged(string path, string text)
    {
        if (File.Exists(path) && File.ReadAllText(path) == text) return false;
        WriteAllText(path, text);
        return true;
    }
}
