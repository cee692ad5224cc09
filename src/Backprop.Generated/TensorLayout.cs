using System;
using System.Collections.Generic;
using System.Globalization;

// Compiled into the runtime and, linked, into the generator (see Enums.cs for the namespace switch). The one place
// that says which tensors a layer has, what they are called in weights files, their shapes and where they live:
// the generator builds its model's Tensors list here, emits the runtime's TensorInfo list from it and checks baked
// weights files against it, so names and offsets cannot differ between build time and run time.
#if BACKPROP_GENERATOR
namespace Backprop.Generated.Generators.Shared;
#else
namespace Backprop.Generated;
#endif

/// <summary>What a tensor of a network holds.</summary>
public enum TensorRole
{
    /// <summary>A Dense layer's weight matrix <c>[out, in]</c>.</summary>
    Weight,

    /// <summary>A Dense layer's bias vector <c>[out]</c>.</summary>
    Bias,

    /// <summary>A batch-norm scale (gamma) <c>[features]</c>.</summary>
    BatchNormWeight,

    /// <summary>A batch-norm shift (beta) <c>[features]</c>.</summary>
    BatchNormBias,

    /// <summary>A batch-norm running mean <c>[features]</c> (state, not trained).</summary>
    BatchNormRunningMean,

    /// <summary>A batch-norm running variance <c>[features]</c> (state, not trained).</summary>
    BatchNormRunningVariance,
}

/// <summary>Which flat buffer of a network a tensor lives in.</summary>
public enum TensorStorage
{
    /// <summary>The network's Parameters (and the same offsets in its Gradients).</summary>
    Parameters,

    /// <summary>The network's State.</summary>
    State,
}

/// <summary>One tensor of a network's layout: name, owning Dense layer, role, buffer, offset and shape. Equatable.</summary>
internal sealed class TensorSpec : IEquatable<TensorSpec>
{
    private readonly int[] _shape;

    public TensorSpec(string name, int layer, TensorRole role, TensorStorage storage, int offset, params int[] shape)
    {
        Name = name;
        Layer = layer;
        Role = role;
        Storage = storage;
        Offset = offset;
        _shape = (int[])shape.Clone();
        long length = 1;
        foreach (int d in _shape) length *= d;
        Length = length;
    }

    /// <summary>The name in weights files, e.g. <c>layers.0.weight</c>.</summary>
    public string Name { get; }

    /// <summary>Index of the Dense layer the tensor belongs to, from 0.</summary>
    public int Layer { get; }

    public TensorRole Role { get; }

    public TensorStorage Storage { get; }

    /// <summary>Offset of the first element in its buffer.</summary>
    public int Offset { get; }

    /// <summary>The dimensions, outermost first: <c>[out, in]</c> for weights, <c>[out]</c> for vectors.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>Number of elements (product of the shape).</summary>
    public long Length { get; }

    public bool Equals(TensorSpec? other)
    {
        if (other is null) return false;
        if (Name != other.Name || Layer != other.Layer || Role != other.Role || Storage != other.Storage || Offset != other.Offset) return false;
        if (_shape.Length != other._shape.Length) return false;
        for (int i = 0; i < _shape.Length; i++)
        {
            if (_shape[i] != other._shape[i]) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is TensorSpec other && Equals(other);

    public override int GetHashCode()
    {
        int hash = StringComparer.Ordinal.GetHashCode(Name);
        hash = unchecked(hash * 31 + Offset);
        foreach (int d in _shape) hash = unchecked(hash * 31 + d);
        return hash;
    }

    public override string ToString() => $"{Name} [{string.Join(", ", _shape)}] at {Storage}[{Offset}]";
}

/// <summary>
/// The tensors each kind of layer contributes, named as PyTorch names an <c>nn.Linear</c> (<c>weight</c>
/// <c>[out, in]</c> row-major, <c>bias</c>) and an <c>nn.BatchNorm1d</c> (<c>weight</c>, <c>bias</c>,
/// <c>running_mean</c>, <c>running_var</c>) under the prefix <c>layers.{i}</c> (batch norm: <c>layers.{i}.bn</c>), where
/// <c>i</c> counts Dense layers from 0.
/// </summary>
internal static class TensorLayout
{
    /// <summary>The prefix of Dense layer <paramref name="layer"/>'s tensors: <c>layers.{layer}</c>.</summary>
    public static string LayerPrefix(int layer) => "layers." + layer.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Adds a Dense layer's weight <c>[units, inputs]</c> at <paramref name="parameterOffset"/> and its bias
    /// <c>[units]</c> right after it.
    /// </summary>
    public static void AddDense(ICollection<TensorSpec> tensors, int layer, int parameterOffset, int inputs, int units)
    {
        string prefix = LayerPrefix(layer);
        tensors.Add(new TensorSpec(prefix + ".weight", layer, TensorRole.Weight, TensorStorage.Parameters, parameterOffset, units, inputs));
        tensors.Add(new TensorSpec(prefix + ".bias", layer, TensorRole.Bias, TensorStorage.Parameters, parameterOffset + inputs * units, units));
    }

    /// <summary>
    /// Adds a batch norm's scale and shift (<c>[units]</c> each, at <paramref name="parameterOffset"/> in the
    /// parameters) and its running mean and variance (at <paramref name="stateOffset"/> in the state).
    /// </summary>
    public static void AddBatchNorm(ICollection<TensorSpec> tensors, int layer, int parameterOffset, int stateOffset, int units)
    {
        string prefix = LayerPrefix(layer) + ".bn";
        tensors.Add(new TensorSpec(prefix + ".weight", layer, TensorRole.BatchNormWeight, TensorStorage.Parameters, parameterOffset, units));
        tensors.Add(new TensorSpec(prefix + ".bias", layer, TensorRole.BatchNormBias, TensorStorage.Parameters, parameterOffset + units, units));
        tensors.Add(new TensorSpec(prefix + ".running_mean", layer, TensorRole.BatchNormRunningMean, TensorStorage.State, stateOffset, units));
        tensors.Add(new TensorSpec(prefix + ".running_var", layer, TensorRole.BatchNormRunningVariance, TensorStorage.State, stateOffset + units, units));
    }
}
