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
/// shape; no tensor the network lacks (PyTorch's <c>*.num_batches_tracked</c> excepted), with the tensors paired by
/// <c>WeightNames</c>. The rules are the runtime's own (<see cref="WeightNameMatching"/>, a shared source file); this
/// class turns their findings into diagnostics, all of them rather than the first. Never throws.
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
        string[] networkNames = expected.Select(e => e.Name).ToArray();
        SafeTensorsEntry[] entries = file.Tensors.Select(t => new SafeTensorsEntry(t.Name, t.Dtype, t.Shape.ToArray(), 0, 0)).ToArray();
        string[]? namesInFile;
        string? pairingError = null;
        switch (reference.Names)
        {
            case WeightNames.Network:
                namesInFile = networkNames;
                break;
            case WeightNames.ModuleOrder:
                namesInFile = WeightNameMatching.ModuleOrder(networkNames, entries, out pairingError);
                break;
            default:
                namesInFile = null;
                pairingError = $"WeightNames = {(int)reference.Names} is not a WeightNames value (Network or ModuleOrder)";
                break;
        }
        if (namesInFile is null)
        {
            return Fail(DiagnosticInfo.Create(DiagnosticDescriptors.WeightNamesMismatch, at, name, $"{pairingError}; the file holds {WeightNameMatching.Contents(entries)}"));
        }

        var parameters = new float[network.ParameterCount];
        var state = new float[network.StateCount];
        List<TensorProblem> problems = WeightNameMatching.Compare(networkNames, expected.Select(e => e.Shape).ToArray(), namesInFile, entries);
        foreach (TensorProblem p in problems)
        {
            string tensor = WeightsFileReader.Printable(p.NameInFile) + (p.Renamed ? $"' for the network's '{p.NetworkName}" : "");
            diagnostics.Add(p.Kind switch
            {
                TensorProblemKind.Missing => DiagnosticInfo.Create(DiagnosticDescriptors.MissingTensor, at, name, tensor,
                    WeightNameMatching.ShapeText(p.ExpectedShape!), WeightNameMatching.Contents(entries)),
                TensorProblemKind.WrongDtype => DiagnosticInfo.Create(DiagnosticDescriptors.WrongDtype, at, name, tensor, p.Found!.Dtype),
                TensorProblemKind.WrongShape => DiagnosticInfo.Create(DiagnosticDescriptors.WrongShape, at, name, tensor,
                    SafeTensorsEntry.ShapeText(p.Found!.Shape), WeightNameMatching.ShapeText(p.ExpectedShape!)),
                _ => DiagnosticInfo.Create(DiagnosticDescriptors.UnexpectedTensor, at, name, tensor, network.Type.Name,
                    ReferenceEquals(namesInFile, networkNames)
                        ? WeightNameMatching.NameList(networkNames)
                        : $"{WeightNameMatching.NameList(networkNames)}, read by {reference.Names} from {WeightNameMatching.NameList(namesInFile)}"),
            });
        }
        if (diagnostics.Count > 0)
        {
            return Fail();
        }
        var values = file.Tensors.ToDictionary(t => t.Name, t => t.Values, StringComparer.Ordinal);
        for (int k = 0; k < expected.Count; k++)
        {
            TensorSpec e = expected[k];
            float[] target = e.Storage == TensorStorage.State ? state : parameters;
            EquatableArray<float> source = values[namesInFile[k]];
            for (int i = 0; i < source.Count; i++) target[e.Offset + i] = source[i];
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
        DiagnosticDescriptors.BakedWeightsTooLarge,
        DiagnosticDescriptors.WeightNamesMismatch);

}
