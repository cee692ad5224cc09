using System;
using System.Collections.Generic;

namespace Backprop.Generated;

/// <summary>The L2 norms of one tensor's parameters and gradient (see <see cref="NetworkStatistics.TensorNorms"/>).</summary>
/// <param name="Name">The tensor's name, as in <see cref="INetwork.Tensors"/> (e.g. <c>layers.0.weight</c>).</param>
/// <param name="Role">What the tensor holds.</param>
/// <param name="ParameterNorm">√(Σ p²) over the tensor's slice of <see cref="INetwork.Parameters"/> (of
/// <see cref="INetwork.State"/> for state tensors).</param>
/// <param name="GradientNorm">√(Σ g²) over its slice of <see cref="INetwork.Gradients"/>; 0 for state tensors, which
/// have no gradient.</param>
public readonly record struct TensorNorm(string Name, TensorRole Role, double ParameterNorm, double GradientNorm);

/// <summary>Per-tensor measurements of a network's health: the numbers behind vanishing and exploding gradients.</summary>
public static class NetworkStatistics
{
    /// <summary>
    /// For each tensor of <paramref name="network"/>, in <see cref="INetwork.Tensors"/> order, the L2 norms of its
    /// parameters and of its gradient as they are now (the gradient <see cref="INetwork.Backward"/> accumulated),
    /// summed in double.
    /// </summary>
    public static IReadOnlyList<TensorNorm> TensorNorms(INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        IReadOnlyList<TensorInfo> tensors = network.Tensors;
        var norms = new TensorNorm[tensors.Count];
        Span<float> parameters = network.Parameters, gradients = network.Gradients, state = network.State;
        for (int t = 0; t < norms.Length; t++)
        {
            TensorInfo info = tensors[t];
            norms[t] = info.Storage == TensorStorage.State
                ? new TensorNorm(info.Name, info.Role, Norm(info.Slice(state)), 0)
                : new TensorNorm(info.Name, info.Role, Norm(info.Slice(parameters)), Norm(info.Slice(gradients)));
        }
        return norms;
    }

    /// <summary>√(Σ v²) summed in double: the one formula of every norm here.</summary>
    internal static double Norm(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (float v in values) sum += (double)v * v;
        return Math.Sqrt(sum);
    }

    /// <summary>The training samples the trainer inspects at the end of an epoch (the first ones, at most this many).</summary>
    internal const int InspectedSamples = 256;

    /// <summary>The norms of an epoch's report: gradient norms averaged over <paramref name="steps"/>, parameter norms now.</summary>
    internal static TensorNorm[] EpochNorms(INetwork network, ReadOnlySpan<double> gradientNormSums, int steps)
    {
        IReadOnlyList<TensorInfo> tensors = network.Tensors;
        var norms = new TensorNorm[tensors.Count];
        Span<float> parameters = network.Parameters, state = network.State;
        for (int t = 0; t < norms.Length; t++)
        {
            TensorInfo info = tensors[t];
            double parameterNorm = Norm(info.Slice(info.Storage == TensorStorage.State ? state : parameters));
            norms[t] = new TensorNorm(info.Name, info.Role, parameterNorm, gradientNormSums[t] / steps);
        }
        return norms;
    }

    /// <summary><see cref="IInspectableNetwork.Inspect"/> on <paramref name="inputs"/>; empty for a network without it.</summary>
    internal static LayerActivity[] Inspect(INetwork network, ReadOnlySpan<float> inputs)
    {
        if (network is not IInspectableNetwork inspectable) return [];
        var layers = new LayerActivity[inspectable.LayerCount];
        inspectable.Inspect(inputs, layers);
        return layers;
    }

    /// <summary>Adds each tensor's current gradient norm to <paramref name="sums"/> (one per tensor, 0 for state tensors). Allocation-free.</summary>
    internal static void AddGradientNorms(INetwork network, Span<double> sums)
    {
        IReadOnlyList<TensorInfo> tensors = network.Tensors;
        Span<float> gradients = network.Gradients;
        for (int t = 0; t < tensors.Count; t++)
        {
            TensorInfo info = tensors[t];
            if (info.Storage == TensorStorage.Parameters) sums[t] += Norm(info.Slice(gradients));
        }
    }
}
