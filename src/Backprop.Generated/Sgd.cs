using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Generated;

/// <summary>An optimizer: updates a network's parameters from its accumulated gradients.</summary>
public interface IOptimizer
{
    /// <summary>Applies one update to <paramref name="network"/>'s parameters. Does not zero the gradients.</summary>
    void Step(INetwork network);
}

/// <summary>Plain stochastic gradient descent: <c>p -= learningRate * g</c>, as <c>torch.optim.SGD</c> without momentum.</summary>
public sealed class Sgd : IOptimizer
{
    /// <summary>Creates the optimizer.</summary>
    public Sgd(float learningRate)
    {
        if (!(learningRate > 0) || float.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be a positive finite number.");
        LearningRate = learningRate;
    }

    /// <summary>The step size.</summary>
    public float LearningRate { get; set; }

    /// <inheritdoc/>
    public void Step(INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        Step(network.Parameters, network.Gradients, LearningRate);
    }

    /// <summary><c>parameters[i] -= learningRate * gradients[i]</c>, vectorized.</summary>
    public static void Step(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        if (parameters.Length != gradients.Length)
            throw new ArgumentException($"Expected {parameters.Length} gradients (one per parameter), got {gradients.Length}.", nameof(gradients));
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        int i = 0;
        if (Vector.IsHardwareAccelerated && parameters.Length >= Vector<float>.Count)
        {
            var rate = new Vector<float>(learningRate);
            for (; i <= parameters.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                ref float pi = ref Unsafe.Add(ref p, i);
                var value = Vector.LoadUnsafe(ref pi) - rate * Vector.LoadUnsafe(ref Unsafe.Add(ref g, i));
                value.StoreUnsafe(ref pi);
            }
        }
        for (; i < parameters.Length; i++)
        {
            Unsafe.Add(ref p, i) -= learningRate * Unsafe.Add(ref g, i);
        }
    }
}
