using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Backprop.Generated.Generators.Diagnostics;
using Backprop.Generated.Generators.Emitting;
using Backprop.Generated.Generators.Model;
using Backprop.Generated.Generators.Shared;
using Microsoft.CodeAnalysis;

namespace Backprop.Generated.Generators.Parsing;

/// <summary>
/// Matches a network declared with <c>Weights = "file"</c> to its decoded file and checks the file against the
/// network's tensors exactly as the runtime's <c>LoadWeights</c> does: every tensor present, F32, of the network's
/// shape; no tensor the network lacks (PyTorch's <c>*.num_batches_tracked</c> excepted). Never throws.
/// </summary>
internal static class BakedWeightsMatcher
{
    public static BakedNetworkModel Match(NetworkModel network, ImmutableArray<WeightsFileModel> files)
    {
        WeightsReference reference = network.BakedWeights!;
        LocationInfo? at = reference.Location;
        string name = reference.FileName;
        var diagnostics = new List<DiagnosticInfo>();
        BakedNetworkModel Fail(params DiagnosticInfo[] found) =>
            new(network, name, default, default, new EquatableArray<DiagnosticInfo>(diagnostics.Concat(found)));

        long floats = (long)network.ParameterCount + network.StateCount;
        if (floats > Limits.MaxBakedFloats)
        {
            return Fail(DiagnosticInfo.Create(DiagnosticDescriptors.BakedWeightsTooLarge, at, network.Type.Name,
                Literal.Int(floats), Literal.Int(Limits.MaxBakedFloats)));
        }

        if (name.Length == 0)
        {
            return Fail(DiagnosticInfo.Create(DiagnosticDescriptors.WeightsFileNotFound, at, reference.Written,
                "Weights names no file: give the file name of a <BakedWeights Include=\"...\" /> item, e.g. Weights = \"digits.safetensors\""));
        }

        WeightsFileModel? file = files.FirstOrDefault(f => string.Equals(f.FileName, name, StringComparison.Ordinal))
            ?? files.FirstOrDefault(f => string.Equals(f.FileName, name, StringComparison.OrdinalIgnoreCase));
        if (file is null)
        {
            return Fail(DiagnosticInfo.Create(DiagnosticDescriptors.WeightsFileNotFound, at, name,
                $"the project has no <BakedWeights Include=\"{name}\" /> item" +
                (files.IsDefaultOrEmpty ? " (it has none at all; with a project reference to the library, also import src/Backprop.Generated/build/Backprop.Generated.targets)" : $" (it has {string.Join(", ", files.Select(f => f.FileName))})")));
        }
        if (file.MissingPath is not null)
        {
            return Fail(DiagnosticInfo.Create(DiagnosticDescriptors.WeightsFileNotFound, at, name,
                $"the BakedWeights item points at '{file.MissingPath}', which does not exist"));
        }
        if (file.Error is not null)
        {
            return Fail(DiagnosticInfo.Create(DiagnosticDescriptors.MalformedWeightsFile, at, name,
                file.ErrorTensor is null ? "" : $" (tensor '{WeightsFileReader.Printable(file.ErrorTensor)}')", file.Error));
        }

        EquatableArray<TensorSpec> expected = network.Tensors;
        var byName = new Dictionary<string, WeightsTensor>(StringComparer.Ordinal);
        foreach (WeightsTensor t in file.Tensors) byName[t.Name] = t;

        var parameters = new float[network.ParameterCount];
        var state = new float[network.StateCount];
        foreach (TensorSpec e in expected)
        {
            if (!byName.TryGetValue(e.Name, out WeightsTensor? t))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingTensor, at, name, e.Name, ShapeText(e.Shape)));
                continue;
            }
            if (t.Dtype != SafeTensorsDtype.F32)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WrongDtype, at, name, e.Name, t.Dtype));
                continue;
            }
            if (!t.Shape.SequenceEqual(e.Shape.Select(d => (ulong)d)))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WrongShape, at, name, e.Name,
                    WeightsFileReader.ShapeText(t.Shape), ShapeText(e.Shape)));
                continue;
            }
            float[] target = e.Storage == TensorStorage.State ? state : parameters;
            for (int i = 0; i < t.Values.Count; i++) target[e.Offset + i] = t.Values[i];
        }
        var names = new HashSet<string>(expected.Select(e => e.Name), StringComparer.Ordinal);
        foreach (WeightsTensor t in file.Tensors)
        {
            if (!names.Contains(t.Name) && !t.Name.EndsWith(WeightsFileReader.IgnoredSuffix, StringComparison.Ordinal))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnexpectedTensor, at, name, WeightsFileReader.Printable(t.Name),
                    network.Type.Name, NameList(expected)));
            }
        }
        if (diagnostics.Count > 0)
        {
            return Fail();
        }
        return new BakedNetworkModel(network, name, new EquatableArray<float>(parameters), new EquatableArray<float>(state), default);
    }

    /// <summary>The diagnostic a stored <see cref="DiagnosticInfo"/> describes.</summary>
    public static Diagnostic ToDiagnostic(DiagnosticInfo info)
    {
        DiagnosticDescriptor descriptor = Descriptors.First(d => d.Id == info.Id);
        return Diagnostic.Create(descriptor, info.Location?.ToLocation() ?? Location.None, info.Arguments.Cast<object>().ToArray());
    }

    /// <summary>Every diagnostic this matcher reports.</summary>
    public static ImmutableArray<DiagnosticDescriptor> Descriptors { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.WeightsFileNotFound,
        DiagnosticDescriptors.MalformedWeightsFile,
        DiagnosticDescriptors.WrongDtype,
        DiagnosticDescriptors.MissingTensor,
        DiagnosticDescriptors.WrongShape,
        DiagnosticDescriptors.UnexpectedTensor,
        DiagnosticDescriptors.BakedWeightsTooLarge);

    private static string NameList(EquatableArray<TensorSpec> tensors)
    {
        const int Shown = 8;
        string names = string.Join(", ", tensors.Take(Shown).Select(t => t.Name));
        return tensors.Count <= Shown ? names : $"{names} and {tensors.Count - Shown} more";
    }

    private static string ShapeText(System.Collections.Generic.IEnumerable<int> shape) => "[" + string.Join(", ", shape) + "]";
}
