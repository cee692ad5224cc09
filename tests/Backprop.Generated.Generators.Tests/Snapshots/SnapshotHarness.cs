using System.Text;
using System.Text.RegularExpressions;
using Backprop.Generated.Generators.Emitting;
using DiffPlex;
using DiffPlex.Model;

namespace Backprop.Generated.Generators.Tests.Snapshots;

/// <summary>
/// A small stand-in for Verify (not served here). Compares text with <c>Snapshots/{name}.verified.cs</c> in the source
/// tree; on a mismatch writes <c>{name}.received.cs</c> beside it and fails with a unified diff. With the environment
/// variable <c>ACCEPT_SNAPSHOTS=1</c> it writes the verified file instead (and deletes the received one), so accepting
/// a deliberate change of the generated code is: <c>ACCEPT_SNAPSHOTS=1 dotnet test ...</c>, then review <c>git diff</c>.
/// </summary>
internal static class SnapshotHarness
{
    public const string AcceptVariable = "ACCEPT_SNAPSHOTS";

    private const string VersionPlaceholder = "{GeneratorVersion}";

    public static bool Accepting => Environment.GetEnvironmentVariable(AcceptVariable) is "1" or "true" or "True";

    /// <summary>The folder holding the snapshots, in the source tree (found by walking up to the solution file).</summary>
    public static string Directory { get; } = Path.Combine(RepositoryRoot.Path, "tests", "Backprop.Generated.Generators.Tests", "Snapshots");

    public static string VerifiedPath(string name) => Path.Combine(Directory, name + ".verified.cs");

    public static string ReceivedPath(string name) => Path.Combine(Directory, name + ".received.cs");

    /// <summary>
    /// The generator's version changes with every release: replace it, so snapshots only change when the code does.
    /// Line endings are normalized to \n (the emitter writes \n; a checkout with autocrlf must not fail the test).
    /// </summary>
    public static string Scrub(string text)
    {
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        text = text.Replace(NetworkEmitter.Version, VersionPlaceholder, StringComparison.Ordinal);
        // Any other version stamp the emitter may grow (e.g. an informational version with a commit hash).
        return Regex.Replace(text, @"(Backprop\.Generated\.Generators""?,? ""?)\d+\.\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.+-]*)?", "$1" + VersionPlaceholder);
    }

    /// <summary>Compares <paramref name="actual"/> (scrubbed here) with the verified snapshot <paramref name="name"/>.</summary>
    public static void Verify(string name, string actual)
    {
        string scrubbed = Scrub(actual);
        string verifiedPath = VerifiedPath(name);
        string receivedPath = ReceivedPath(name);
        string? verified = File.Exists(verifiedPath) ? File.ReadAllText(verifiedPath, Encoding.UTF8).Replace("\r\n", "\n", StringComparison.Ordinal) : null;

        if (verified == scrubbed)
        {
            File.Delete(receivedPath);
            return;
        }
        if (Accepting)
        {
            File.WriteAllText(verifiedPath, scrubbed, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, scrubbed, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        string message = verified is null
            ? $"No snapshot {Path.GetFileName(verifiedPath)} yet; wrote {receivedPath}."
            : $"The generated source differs from {Path.GetFileName(verifiedPath)}; wrote {receivedPath}.\n" +
              UnifiedDiff(verified, scrubbed, "verified/" + name + ".cs", "received/" + name + ".cs");
        Assert.Fail(message + $"\nIf the change is intended, accept it with {AcceptVariable}=1 dotnet test (then review git diff).");
    }

    /// <summary>A unified diff (3 lines of context) of two texts, as <c>diff -u</c> prints it.</summary>
    public static string UnifiedDiff(string oldText, string newText, string oldName, string newName, int context = 3, int maxLines = 400)
    {
        // DiffPlex splits "a\nb\n" into "a", "b", "": drop the final newline so no phantom empty line appears.
        static string Chomp(string text) => text.EndsWith('\n') ? text[..^1] : text;
        DiffResult diff = new Differ().CreateLineDiffs(Chomp(oldText), Chomp(newText), ignoreWhitespace: false, ignoreCase: false);
        IList<string> a = diff.PiecesOld;
        IList<string> b = diff.PiecesNew;
        var output = new StringBuilder().Append("--- ").Append(oldName).Append('\n').Append("+++ ").Append(newName).Append('\n');
        int lines = 0;

        int i = 0;
        while (i < diff.DiffBlocks.Count)
        {
            // Merge blocks whose context would overlap into one hunk.
            int j = i;
            while (j + 1 < diff.DiffBlocks.Count &&
                   diff.DiffBlocks[j + 1].DeleteStartA - (diff.DiffBlocks[j].DeleteStartA + diff.DiffBlocks[j].DeleteCountA) <= 2 * context)
            {
                j++;
            }
            DiffBlock first = diff.DiffBlocks[i];
            DiffBlock last = diff.DiffBlocks[j];
            int startA = Math.Max(0, first.DeleteStartA - context);
            int startB = Math.Max(0, first.InsertStartB - context);
            int endA = Math.Min(a.Count, last.DeleteStartA + last.DeleteCountA + context);
            int endB = Math.Min(b.Count, last.InsertStartB + last.InsertCountB + context);
            output.Append($"@@ -{startA + 1},{endA - startA} +{startB + 1},{endB - startB} @@\n");

            int posA = startA;
            for (int k = i; k <= j; k++)
            {
                DiffBlock block = diff.DiffBlocks[k];
                for (; posA < block.DeleteStartA; posA++) Line(' ', a[posA]);
                for (int d = 0; d < block.DeleteCountA; d++) Line('-', a[block.DeleteStartA + d]);
                for (int n = 0; n < block.InsertCountB; n++) Line('+', b[block.InsertStartB + n]);
                posA = block.DeleteStartA + block.DeleteCountA;
            }
            for (; posA < endA; posA++) Line(' ', a[posA]);
            i = j + 1;
        }
        if (lines > maxLines)
        {
            output.Append($"... ({lines - maxLines} more diff lines)\n");
        }
        return output.ToString();

        void Line(char marker, string text)
        {
            if (++lines <= maxLines) output.Append(marker).Append(text).Append('\n');
        }
    }
}

/// <summary>The repository root: the nearest folder above the test assembly that holds Backprop.Generated.sln.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Backprop.Generated.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Backprop.Generated.sln not found above {AppContext.BaseDirectory}.");
    }
}
