using System.Text;
using AutoCkpt.Formats.Errors;

namespace AutoCkpt.Formats;

/// <summary>Reads an input file's text within <see cref="FileLimits"/>, refusing what is not a regular file.</summary>
public static class InputFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The text of <paramref name="path"/>, UTF-8, at most <paramref name="maxBytes"/> (by default
    /// <see cref="FileLimits.MaxFileBytes"/>). Throws
    /// <see cref="AckptException"/> with <paramref name="code"/> when the path is a folder, is empty or not a regular
    /// file (a device such as /dev/zero, a pipe: never opened), is too large (refused before it is read), cannot be
    /// read, or is not UTF-8. The caller reports a missing file with its own code first.
    /// </summary>
    public static string ReadText(string path, string code, string what, long maxBytes = FileLimits.MaxFileBytes)
    {
        if (Directory.Exists(path))
            throw new AckptException(code, $"the {what} '{path}' is a folder, not a file.", path);
        try
        {
            long length = new FileInfo(path).Length;
            if (length == 0)
                throw new AckptException(code, $"the {what} '{path}' is empty, or is not a regular file (a device or a pipe, which AutoCkpt never reads).", path);
            if (length > maxBytes)
                throw new AckptException(code, $"the {what} '{path}' is {length} bytes, more than the {maxBytes} bytes AutoCkpt reads.", path);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            var buffer = new byte[length + 1];
            int read = 0, n;
            while (read < buffer.Length && (n = stream.Read(buffer, read, buffer.Length - read)) > 0) read += n;
            if (read > length)
                throw new AckptException(code, $"the {what} '{path}' grew while it was read, or is not a regular file.", path);
            int start = read >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0;
            return StrictUtf8.GetString(buffer, start, read - start);
        }
        catch (DecoderFallbackException e)
        {
            throw new AckptException(code, $"the {what} '{path}' is not UTF-8 text: it holds bytes that are not UTF-8 (binary data?).", path, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AckptException(code, $"the {what} '{path}' cannot be read: {e.Message}", path, e);
        }
    }
}
