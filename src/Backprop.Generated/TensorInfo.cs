using System;
using System.Collections.Generic;

namespace Backprop.Generated;

/// <summary>Describes one tensor of a generated network: its name in weights files, where it lives and its shape.</summary>
public sealed class TensorInfo
{
    private readonly int[] _shape;

    /// <summary>
    /// Creates a description. Generated code calls this with the list the generator builds from
    /// <c>TensorLayout</c>; users rarely need to.
    /// </summary>
    public TensorInfo(string name, int layer, TensorRole role, TensorStorage storage, int offset, params int[] shape)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        if (shape is null || shape.Length == 0) throw new ArgumentException("A tensor needs at least one dimension.", nameof(shape));
        Layer = layer;
        Role = role;
        Storage = storage;
        Offset = offset;
        _shape = (int[])shape.Clone();
        long length = 1;
        foreach (int d in _shape)
        {
            if (d <= 0) throw new ArgumentException($"Tensor '{name}' has a dimension {d}; dimensions must be positive.", nameof(shape));
            length *= d;
        }
        if (length > int.MaxValue) throw new ArgumentException($"Tensor '{name}' holds {length} elements, more than a span can.", nameof(shape));
        Length = (int)length;
    }

    /// <summary>The name in weights files, e.g. <c>layers.0.weight</c>.</summary>
    public string Name { get; }

    /// <summary>Index of the Dense layer the tensor belongs to, from 0.</summary>
    public int Layer { get; }

    /// <summary>What the tensor holds.</summary>
    public TensorRole Role { get; }

    /// <summary>Which buffer it lives in.</summary>
    public TensorStorage Storage { get; }

    /// <summary>Offset of the first element in its buffer.</summary>
    public int Offset { get; }

    /// <summary>Number of elements (product of <see cref="Shape"/>).</summary>
    public int Length { get; }

    /// <summary>The dimensions, outermost first: <c>[out, in]</c> for weights, <c>[out]</c> for vectors.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>True for Dense weight matrices, the tensors L1/L2 penalties apply to.</summary>
    public bool IsWeight => Role == TensorRole.Weight;

    /// <summary>The tensor's slice of <paramref name="buffer"/> (the network's Parameters, Gradients or State).</summary>
    public Span<float> Slice(Span<float> buffer) => buffer.Slice(Offset, Length);

    /// <summary>The description of <paramref name="spec"/>, a tensor of the shared layout.</summary>
    internal static TensorInfo From(TensorSpec spec)
    {
        var shape = new int[spec.Shape.Count];
        for (int i = 0; i < shape.Length; i++) shape[i] = spec.Shape[i];
        return new TensorInfo(spec.Name, spec.Layer, spec.Role, spec.Storage, spec.Offset, shape);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} [{string.Join(", ", _shape)}] at {Storage}[{Offset}]";
}
