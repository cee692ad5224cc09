using System;
using System.IO;

namespace Backprop.Generated;

/// <summary>
/// Replaces a file atomically: the content goes to a new temporary file in the same folder, is flushed to disk, and
/// is then renamed over the target. A failure at any point leaves the old file (or no file) and removes the temporary.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Points where tests may inject a failure; the argument names the step about to run.</summary>
    internal const string BeforeFlushToDisk = "flush";

    /// <inheritdoc cref="BeforeFlushToDisk"/>
    internal const string BeforeRename = "rename";

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="write">Writes the whole content to the stream it is given.</param>
    /// <param name="wrap">Test seam: wraps the temporary file's stream (for example to fail midway).</param>
    /// <param name="checkpoint">Test seam: called before the flush to disk and before the rename.</param>
    public static void Write(string path, Action<Stream> write, Func<Stream, Stream>? wrap = null, Action<string>? checkpoint = null)
    {
        if (path is null) throw new ArgumentNullException(nameof(path));
        if (write is null) throw new ArgumentNullException(nameof(write));
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no folder.", nameof(path));
        string temp = Path.Combine(directory, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 12) + ".tmp");
        bool created = false;
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024))
            {
                created = true;
                Stream target = wrap?.Invoke(file) ?? file;
                write(target);
                target.Flush();
                checkpoint?.Invoke(BeforeFlushToDisk);
                file.Flush(flushToDisk: true);
            }
            checkpoint?.Invoke(BeforeRename);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            if (created) TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (IOException)
        {
            // Best effort: the original error matters more.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
