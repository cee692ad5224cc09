using System;
using System.Collections.Generic;
using System.Linq;

// Compiled into the runtime (LoadWeights) and, linked, into the generator (baked weights): which tensor of a file
// each tensor of a network reads, and what does not fit. See Enums.cs for the namespace switch.
#if BACKPROP_GENERATOR
namespace Backprop.Generated.Generators.Shared;
#else
namespace Backprop.Generated;
#endif

/// <summary>What is wrong with one tensor when a file is matched to a network.</summary>
internal enum TensorProblemKind
{
    /// <summary>The file lacks the tensor a network tensor reads.</summary>
    Missing,

    /// <summary>The tensor is not F32.</summary>
    WrongDtype,

    /// <summary>The tensor's shape is not the network tensor's.</summary>
    WrongShape,

    /// <summary>No network tensor reads this tensor of the file.</summary>
    Unexpected,
}

/// <summary>One mismatch between a file and a network.</summary>
internal sealed class TensorProblem
{
    public TensorProblem(TensorProblemKind kind, string nameInFile, string? networkName, SafeTensorsEntry? found, IReadOnlyList<int>? expectedShape)
    {
        Kind = kind;
        NameInFile = nameInFile;
        NetworkName = networkName;
        Found = found;
        ExpectedShape = expectedShape;
    }

    public TensorProblemKind Kind { get; }

    /// <summary>The tensor's name in the file (for <see cref="TensorProblemKind.Missing"/>, the name looked for).</summary>
    public string NameInFile { get; }

    /// <summary>The network's tensor, or null for <see cref="TensorProblemKind.Unexpected"/>.</summary>
    public string? NetworkName { get; }

    /// <summary>The file's entry, or null for <see cref="TensorProblemKind.Missing"/>.</summary>
    public SafeTensorsEntry? Found { get; }

    /// <summary>The network tensor's shape, or null for <see cref="TensorProblemKind.Unexpected"/>.</summary>
    public IReadOnlyList<int>? ExpectedShape { get; }

    /// <summary>True when the network's tensor is read from a tensor of another name.</summary>
    public bool Renamed => NetworkName is not null && NetworkName != NameInFile;

    /// <summary>" (the network's 'layers.0.weight')" for a renamed tensor, else empty.</summary>
    public string NetworkNameNote => Renamed ? $" (the network's '{NetworkName}')" : "";
}

/// <summary>
/// Pairs a network's tensors with a file's: by the network's own names, by PyTorch module order
/// (<see cref="WeightNames.ModuleOrder"/>), or by names the caller computes; then lists every mismatch, in the network's
/// tensor order, followed by the file's tensors that nothing reads (PyTorch's <c>*.num_batches_tracked</c> excepted).
/// </summary>
internal static class WeightNameMatching
{
    /// <summary>
    /// Names by <see cref="WeightNames.ModuleOrder"/>: the network's modules (its tensor names up to the last dot:
    /// <c>layers.0</c>, <c>layers.0.bn</c>, ...) in order are paired with the file's modules (<c>0</c>, <c>2</c>,
    /// <c>fc1</c>, <c>encoder.0</c>, ...) in natural order (dot-separated parts, numbers compared as numbers), and each
    /// tensor keeps its last part (<c>weight</c>, <c>bias</c>, <c>running_mean</c>, <c>running_var</c>). Null, with
    /// <paramref name="error"/> saying why, when the two have different numbers of modules.
    /// </summary>
    public static string[]? ModuleOrder(IReadOnlyList<string> networkNames, IReadOnlyList<SafeTensorsEntry> file, out string? error)
    {
        List<(string Module, List<string> Parts)> network = Modules(networkNames);
        List<(string Module, List<string> Parts)> inFile = Modules(file.Select(e => e.Name).Where(n => !n.EndsWith(SafeTensorsHeader.IgnoredSuffix, StringComparison.Ordinal)));
        inFile.Sort((a, b) => NaturalCompare(a.Module, b.Module));
        if (network.Count != inFile.Count)
        {
            error = $"WeightNames.ModuleOrder pairs the file's modules with the network's layers in order, but the file has {Count(inFile.Count, "module")} " +
                $"({ModuleList(inFile)}) and the network {Count(network.Count, "module")} ({ModuleList(network)})";
            return null;
        }
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < network.Count; i++) index[network[i].Module] = i;
        var names = new string[networkNames.Count];
        for (int i = 0; i < names.Length; i++)
        {
            Split(networkNames[i], out string module, out string part);
            string fileModule = inFile[index[module]].Module;
            names[i] = fileModule.Length == 0 ? part : fileModule + "." + part;
        }
        error = null;
        return names;
    }

    /// <summary>
    /// The mismatches when network tensor <c>i</c> (<paramref name="networkNames"/>[i], of shape
    /// <paramref name="shapes"/>[i]) reads the file's tensor <paramref name="namesInFile"/>[i]. Empty when the file fits.
    /// </summary>
    public static List<TensorProblem> Compare(
        IReadOnlyList<string> networkNames, IReadOnlyList<IReadOnlyList<int>> shapes, IReadOnlyList<string> namesInFile, IReadOnlyList<SafeTensorsEntry> file)
    {
        var byName = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
        foreach (SafeTensorsEntry e in file) byName[e.Name] = e;
        var problems = new List<TensorProblem>();
        for (int i = 0; i < networkNames.Count; i++)
        {
            string name = namesInFile[i];
            if (!byName.TryGetValue(name, out SafeTensorsEntry? entry))
            {
                problems.Add(new TensorProblem(TensorProblemKind.Missing, name, networkNames[i], null, shapes[i]));
            }
            else if (entry.Dtype != SafeTensorsDtype.F32)
            {
                problems.Add(new TensorProblem(TensorProblemKind.WrongDtype, name, networkNames[i], entry, shapes[i]));
            }
            else if (!SameShape(entry.Shape, shapes[i]))
            {
                problems.Add(new TensorProblem(TensorProblemKind.WrongShape, name, networkNames[i], entry, shapes[i]));
            }
        }
        var read = new HashSet<string>(namesInFile, StringComparer.Ordinal);
        foreach (SafeTensorsEntry e in file)
        {
            if (!read.Contains(e.Name) && !e.Name.EndsWith(SafeTensorsHeader.IgnoredSuffix, StringComparison.Ordinal))
            {
                problems.Add(new TensorProblem(TensorProblemKind.Unexpected, e.Name, null, e, null));
            }
        }
        return problems;
    }

    /// <summary>The first name two network tensors both read, or null when every name is distinct and non-empty.</summary>
    public static string? FirstClash(IReadOnlyList<string> networkNames, IReadOnlyList<string> namesInFile, out string? first, out string? second)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < namesInFile.Count; i++)
        {
            if (seen.TryGetValue(namesInFile[i], out string? other))
            {
                first = other;
                second = networkNames[i];
                return namesInFile[i];
            }
            seen.Add(namesInFile[i], networkNames[i]);
        }
        first = second = null;
        return null;
    }

    /// <summary>What a file holds, for messages: <c>0.weight F32 [4, 2], 0.bias F32 [4]</c>, at most 16 tensors.</summary>
    public static string Contents(IReadOnlyList<SafeTensorsEntry> file)
    {
        const int Shown = 16;
        if (file.Count == 0) return "no tensors";
        string list = string.Join(", ", file.Take(Shown).Select(e => e.Description));
        return file.Count <= Shown ? list : $"{list} and {file.Count - Shown} more";
    }

    /// <summary>The first names of <paramref name="names"/>, for messages.</summary>
    public static string NameList(IReadOnlyList<string> names)
    {
        const int Shown = 8;
        if (names.Count == 0) return "no tensors";
        string list = string.Join(", ", names.Take(Shown));
        return names.Count <= Shown ? list : $"{list} and {names.Count - Shown} more";
    }

    public static string ShapeText(IEnumerable<int> shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>Orders dot-separated names part by part, numbers as numbers (so <c>2</c> before <c>10</c>) and before words.</summary>
    public static int NaturalCompare(string a, string b)
    {
        string[] x = a.Split('.');
        string[] y = b.Split('.');
        for (int i = 0; i < x.Length && i < y.Length; i++)
        {
            bool xn = IsNumber(x[i]);
            bool yn = IsNumber(y[i]);
            int c;
            if (xn && yn)
            {
                string xt = x[i].TrimStart('0');
                string yt = y[i].TrimStart('0');
                c = xt.Length != yt.Length ? xt.Length.CompareTo(yt.Length) : string.CompareOrdinal(xt, yt);
            }
            else
            {
                c = xn != yn ? (xn ? -1 : 1) : string.CompareOrdinal(x[i], y[i]);
            }
            if (c != 0) return c;
        }
        return x.Length != y.Length ? x.Length.CompareTo(y.Length) : string.CompareOrdinal(a, b);
    }

    private static bool IsNumber(string s)
    {
        if (s.Length == 0) return false;
        foreach (char c in s)
        {
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    private static List<(string Module, List<string> Parts)> Modules(IEnumerable<string> names)
    {
        var modules = new List<(string Module, List<string> Parts)>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            Split(name, out string module, out string part);
            if (!index.TryGetValue(module, out int i))
            {
                i = modules.Count;
                index.Add(module, i);
                modules.Add((module, new List<string>()));
            }
            modules[i].Parts.Add(part);
        }
        return modules;
    }

    private static void Split(string name, out string module, out string part)
    {
        int dot = name.LastIndexOf('.');
        module = dot < 0 ? "" : name.Substring(0, dot);
        part = name.Substring(dot + 1);
    }

    private static string ModuleList(List<(string Module, List<string> Parts)> modules)
    {
        const int Shown = 12;
        string list = string.Join(", ", modules.Take(Shown).Select(m => $"{(m.Module.Length == 0 ? "(top level)" : SafeTensorsHeader.Printable(m.Module))}: {string.Join(" ", m.Parts.Select(SafeTensorsHeader.Printable))}"));
        return modules.Count <= Shown ? list : $"{list} and {modules.Count - Shown} more";
    }

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static bool SameShape(ulong[] file, IReadOnlyList<int> network)
    {
        if (file.Length != network.Count) return false;
        for (int i = 0; i < file.Length; i++)
        {
            if (file[i] != (ulong)network[i]) return false;
        }
        return true;
    }
}
