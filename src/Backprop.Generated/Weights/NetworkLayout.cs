using System;
using System.Collections.Generic;

namespace Backprop.Generated;

/// <summary>Checks that a network's <see cref="INetwork.Tensors"/> can be written to and read from a weights file.</summary>
internal static class NetworkLayout
{
    /// <summary>
    /// Returns the network's tensors after checking that names are unique, non-empty and not reserved, and that each
    /// tensor lies inside its buffer.
    /// </summary>
    /// <exception cref="InvalidOperationException">The network describes its tensors inconsistently.</exception>
    public static IReadOnlyList<TensorInfo> Check(INetwork network)
    {
        if (network is null) throw new ArgumentNullException(nameof(network));
        IReadOnlyList<TensorInfo> tensors = network.Tensors;
        int parameterLength = network.Parameters.Length;
        int stateLength = network.State.Length;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (TensorInfo t in tensors)
        {
            if (t.Name.Length == 0 || t.Name == "__metadata__")
            {
                throw new InvalidOperationException($"The network has a tensor named '{t.Name}', which a weights file cannot hold.");
            }
            if (!names.Add(t.Name))
            {
                throw new InvalidOperationException($"The network lists the tensor '{t.Name}' twice.");
            }
            int bufferLength = t.Storage switch
            {
                TensorStorage.Parameters => parameterLength,
                TensorStorage.State => stateLength,
                _ => throw new InvalidOperationException($"The network's tensor '{t.Name}' has an unknown storage {t.Storage}."),
            };
            if (t.Offset < 0 || (long)t.Offset + t.Length > bufferLength)
            {
                throw new InvalidOperationException(
                    $"The network's tensor '{t.Name}' spans [{t.Offset}, {(long)t.Offset + t.Length}) of {t.Storage}, which holds {bufferLength} floats.");
            }
        }
        return tensors;
    }

    /// <summary>The tensor's slice of the buffer it lives in.</summary>
    public static Span<float> Slice(INetwork network, TensorInfo tensor) =>
        tensor.Slice(tensor.Storage == TensorStorage.State ? network.State : network.Parameters);
}
