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
    /// <summary>A Dense layer's weight matrix <c>[out, in]</c>, or a convolution's weights <c>[filters, in, k]</c> / <c>[filters, in, k, k]</c>.</summary>
    Weight,

    /// <summary>A Dense layer's bias vector <c>[out]</c>, or a convolution's <c>[filters]</c>.</summary>
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
    /// <summary>The most dimensions a tensor has (stored as fields so the generator's models hold no arrays).</summary>
    public const int MaxRank = 4;

    private readonly int _rank;
    private readonly int _d0;
    private readonly int _d1;
    private readonly int _d2;
    private readonly int _d3;

    public TensorSpec(string name, int layer, TensorRole role, TensorStorage storage, int offset, params int[] shape)
    {
        if (shape.Length == 0 || shape.Length > MaxRank) throw new ArgumentException($"Tensor '{name}' has {shape.Length} dimensions; 1 to {MaxRank} are supported.", nameof(shape));
        Name = name;
        Layer = layer;
        Role = role;
        Storage = storage;
        Offset = offset;
        _rank = shape.Length;
        _d0 = shape[0];
        _d1 = _rank > 1 ? shape[1] : 0;
        _d2 = _rank > 2 ? shape[2] : 0;
        _d3 = _rank > 3 ? shape[3] : 0;
        long length = 1;
        foreach (int d in shape) length *= d;
        Length = length;
    }

    /// <summary>The name in weights files, e.g. <c>layers.0.weight</c>.</summary>
    public string Name { get; }

    /// <summary>Index of the layer with weights (Dense or convolution) the tensor belongs to, from 0.</summary>
    public int Layer { get; }

    public TensorRole Role { get; }

    public TensorStorage Storage { get; }

    /// <summary>Offset of the first element in its buffer.</summary>
    public int Offset { get; }

    /// <summary>The dimensions, outermost first: <c>[out, in]</c> for weights, <c>[out]</c> for vectors.</summary>
    public IReadOnlyList<int> Shape
    {
        get
        {
            var shape = new int[_rank];
            for (int i = 0; i < _rank; i++) shape[i] = i switch { 0 => _d0, 1 => _d1, 2 => _d2, _ => _d3 };
            return shape;
        }
    }

    /// <summary>Number of elements (product of the shape).</summary>
    public long Length { get; }

    public bool Equals(TensorSpec? other) => other is not null
        && Name == other.Name && Layer == other.Layer && Role == other.Role && Storage == other.Storage && Offset == other.Offset
        && _rank == other._rank && _d0 == other._d0 && _d1 == other._d1 && _d2 == other._d2 && _d3 == other._d3;

    public override bool Equals(object? obj) => obj is TensorSpec other && Equals(other);

    public override int GetHashCode()
    {
        int hash = StringComparer.Ordinal.GetHashCode(Name);
        hash = unchecked(hash * 31 + Offset);
        hash = unchecked(hash * 31 + _d0);
        return unchecked(hash * 31 + _d1);
    }

    public override string ToString() => $"{Name} [{string.Join(", ", Shape)}] at {Storage}[{Offset}]";
}

/// <summary>
/// The tensors each kind of layer contributes, named as PyTorch names an <c>nn.Linear</c> (<c>weight</c>
/// <c>[out, in]</c> row-major, <c>bias</c>), an <c>nn.Conv1d</c>/<c>nn.Conv2d</c> (<c>weight</c> <c>[filters, in, k]</c> or
/// <c>[filters, in, k, k]</c>, <c>bias</c>) and an <c>nn.BatchNorm1d</c>/<c>2d</c> (<c>weight</c>, <c>bias</c>,
/// <c>running_mean</c>, <c>running_var</c>) under the prefix <c>layers.{i}</c> (batch norm: <c>layers.{i}.bn</c>), where
/// <c>i</c> counts the layers with weights (Dense and convolutions) from 0.
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
    /// Adds a convolution's weight <c>[filters, inChannels, k]</c> (<paramref name="dimensions"/> 1) or
    /// <c>[filters, inChannels, k, k]</c> (2) at <paramref name="parameterOffset"/>, as PyTorch stores it, and its bias
    /// <c>[filters]</c> right after it.
    /// </summary>
    public static void AddConvolution(ICollection<TensorSpec> tensors, int layer, int parameterOffset, int filters, int inChannels, int dimensions, int kernel)
    {
        string prefix = LayerPrefix(layer);
        int weights = filters * inChannels * (dimensions == 2 ? kernel * kernel : kernel);
        tensors.Add(dimensions == 2
            ? new TensorSpec(prefix + ".weight", layer, TensorRole.Weight, TensorStorage.Parameters, parameterOffset, filters, inChannels, kernel, kernel)
            : new TensorSpec(prefix + ".weight", layer, TensorRole.Weight, TensorStorage.Parameters, parameterOffset, filters, inChannels, kernel));
        tensors.Add(new TensorSpec(prefix + ".bias", layer, TensorRole.Bias, TensorStorage.Parameters, parameterOffset + weights, filters));
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
