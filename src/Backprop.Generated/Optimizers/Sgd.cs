using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Generated;

/// <summary>
/// Stochastic gradient descent with optional momentum and Nesterov momentum, as <c>torch.optim.SGD</c> (without
/// <c>weight_decay</c>: use <see cref="TrainerOptions.L2"/>).
/// </summary>
/// <remarks>
/// Without momentum: <c>p -= lr * g</c>. With momentum <c>mu</c> and dampening <c>d</c>: on the first step
/// <c>b = g</c>, afterwards <c>b = mu * b + (1 - d) * g</c>; then <c>p -= lr * b</c>, or with Nesterov
/// <c>p -= lr * (g + mu * b)</c>.
/// </remarks>
public sealed class Sgd : Optimizer
{
    /// <summary>Plain gradient descent with step size <paramref name="learningRate"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is not a positive finite number.</exception>
    public Sgd(float learningRate)
        : base(learningRate)
    {
    }

    /// <summary>Gradient descent with momentum.</summary>
    /// <param name="learningRate">The step size, a positive finite number.</param>
    /// <param name="momentum">The momentum factor, in [0, 1); 0 means none.</param>
    /// <param name="dampening">Dampening of the new gradient in the momentum buffer, in [0, 1]; usually 0.</param>
    /// <param name="nesterov">Use Nesterov momentum; needs <paramref name="momentum"/> &gt; 0 and <paramref name="dampening"/> 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    /// <exception cref="ArgumentException"><paramref name="nesterov"/> without momentum or with dampening.</exception>
    public Sgd(float learningRate, float momentum, float dampening = 0f, bool nesterov = false)
        : base(learningRate)
    {
        Momentum = Check(momentum, nameof(momentum), 0f, 1f, maxExclusive: true);
        Dampening = Check(dampening, nameof(dampening), 0f, 1f);
        if (nesterov && (momentum == 0 || dampening != 0))
            throw new ArgumentException("Nesterov momentum needs momentum > 0 and dampening 0.", nameof(nesterov));
        Nesterov = nesterov;
    }

    /// <summary>The momentum factor; 0 means plain gradient descent.</summary>
    public float Momentum { get; }

    /// <summary>The dampening applied to new gradients in the momentum buffer.</summary>
    public float Dampening { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override string Configuration => Momentum == 0
        ? ""
        : $"momentum={Format(Momentum)}, dampening={Format(Dampening)}, nesterov={(Nesterov ? "true" : "false")}";

    /// <inheritdoc/>
    protected override int BufferCount => Momentum == 0 ? 0 : 1;

    /// <inheritdoc/>
    protected override void Update(INetwork network, Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        float lr = LearningRate;
        if (Momentum == 0)
        {
            Step(parameters, gradients, lr);
            return;
        }
        Span<float> buffer = GetBuffer(0);
        float mu = Momentum;
        float keep = (float)(1.0 - Dampening);
        if (step == 1)
        {
            gradients.CopyTo(buffer);
        }
        else
        {
            // b = b * mu + (1 - dampening) * g
            ref float b = ref MemoryMarshal.GetReference(buffer);
            ref float g = ref MemoryMarshal.GetReference(gradients);
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var vmu = new Vector<float>(mu);
                var vkeep = new Vector<float>(keep);
                for (; i <= buffer.Length - Vector<float>.Count; i += Vector<float>.Count)
                {
                    ref float bi = ref Unsafe.Add(ref b, i);
                    (Vector.LoadUnsafe(ref bi) * vmu + vkeep * Vector.LoadUnsafe(ref Unsafe.Add(ref g, i))).StoreUnsafe(ref bi);
                }
            }
            for (; i < buffer.Length; i++)
            {
                Unsafe.Add(ref b, i) = Unsafe.Add(ref b, i) * mu + keep * Unsafe.Add(ref g, i);
            }
        }
        if (!Nesterov)
        {
            Step(parameters, buffer, lr);
            return;
        }
        // p -= lr * (g + mu * b)
        {
            ref float p = ref MemoryMarshal.GetReference(parameters);
            ref float g = ref MemoryMarshal.GetReference(gradients);
            ref float b = ref MemoryMarshal.GetReference(buffer);
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var vmu = new Vector<float>(mu);
                var vlr = new Vector<float>(lr);
                for (; i <= parameters.Length - Vector<float>.Count; i += Vector<float>.Count)
                {
                    ref float pi = ref Unsafe.Add(ref p, i);
                    var d = Vector.LoadUnsafe(ref Unsafe.Add(ref g, i)) + vmu * Vector.LoadUnsafe(ref Unsafe.Add(ref b, i));
                    (Vector.LoadUnsafe(ref pi) - vlr * d).StoreUnsafe(ref pi);
                }
            }
            for (; i < parameters.Length; i++)
            {
                float d = Unsafe.Add(ref g, i) + mu * Unsafe.Add(ref b, i);
                Unsafe.Add(ref p, i) -= lr * d;
            }
        }
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
