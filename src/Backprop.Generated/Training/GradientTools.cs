using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Generated;

/// <summary>
/// L1 and L2 penalties on a network's Dense and convolution weights (<see cref="TensorInfo.IsWeight"/>; biases and batch-norm
/// parameters are never penalized), added to the accumulated gradient. Allocation-free.
/// </summary>
public static class Regularization
{
    /// <summary>Adds <c>strength * sign(w)</c> (sign 0 at 0, as <c>torch.sign</c>) to the gradient of every weight.</summary>
    public static void AddL1Gradient(INetwork network, float strength) => AddPenaltyGradient<L1Penalty>(network, strength);

    /// <summary>Adds <c>strength * w</c> to the gradient of every weight (the gradient of <c>strength / 2 * sum w^2</c>).</summary>
    public static void AddL2Gradient(INetwork network, float strength) => AddPenaltyGradient<L2Penalty>(network, strength);

    /// <summary>g += strength · P'(w) over every weight tensor, vectors first, then the tail with the same expression.</summary>
    private static void AddPenaltyGradient<TPenalty>(INetwork network, float strength) where TPenalty : IPenalty
    {
        ArgumentNullException.ThrowIfNull(network);
        if (strength == 0) return;
        Span<float> parameters = network.Parameters, gradients = network.Gradients;
        var tensors = network.Tensors;
        for (int t = 0; t < tensors.Count; t++)
        {
            TensorInfo info = tensors[t];
            if (!info.IsWeight || info.Storage != TensorStorage.Parameters) continue;
            ref float w = ref MemoryMarshal.GetReference(info.Slice(parameters));
            ref float g = ref MemoryMarshal.GetReference(info.Slice(gradients));
            int n = info.Length, i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var vs = new Vector<float>(strength);
                for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
                {
                    ref float gi = ref Unsafe.Add(ref g, i);
                    (Vector.LoadUnsafe(ref gi) + vs * TPenalty.Derivative(Vector.LoadUnsafe(ref Unsafe.Add(ref w, i)))).StoreUnsafe(ref gi);
                }
            }
            for (; i < n; i++)
            {
                Unsafe.Add(ref g, i) += strength * TPenalty.Derivative(Unsafe.Add(ref w, i));
            }
        }
    }

    /// <summary>The derivative of one weight's penalty, without the strength.</summary>
    private interface IPenalty
    {
        static abstract Vector<float> Derivative(Vector<float> w);

        static abstract float Derivative(float w);
    }

    /// <summary>|w|: sign(w), 0 at 0.</summary>
    private readonly struct L1Penalty : IPenalty
    {
        // comparisons give -1 where true: (w < 0) - (w > 0) is sign(w).
        public static Vector<float> Derivative(Vector<float> w) =>
            Vector.ConvertToSingle(Vector.LessThan(w, Vector<float>.Zero) - Vector.GreaterThan(w, Vector<float>.Zero));

        public static float Derivative(float w) => w > 0 ? 1f : w < 0 ? -1f : 0f;
    }

    /// <summary>w²/2: w.</summary>
    private readonly struct L2Penalty : IPenalty
    {
        public static Vector<float> Derivative(Vector<float> w) => w;

        public static float Derivative(float w) => w;
    }
}

/// <summary>Gradient clipping as <c>torch.nn.utils</c>. Allocation-free.</summary>
public static class GradientClipping
{
    /// <summary>The term added to the norm before dividing, as in <c>clip_grad_norm_</c>.</summary>
    public const double NormEpsilon = 1e-6;

    /// <summary>
    /// Computes <c>norm = sqrt(sum g^2)</c> over all of <paramref name="gradients"/> and, when
    /// <c>coef = maxNorm / (norm + 1e-6)</c> is below 1, multiplies every gradient by <c>coef</c>.
    /// </summary>
    /// <returns>The norm before clipping (in double precision).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not positive and finite.</exception>
    public static double ClipByNorm(Span<float> gradients, float maxNorm)
    {
        if (!(maxNorm > 0) || float.IsInfinity(maxNorm))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum norm must be a positive finite number.");
        double norm = Math.Sqrt(SumOfSquares(gradients));
        double coef = maxNorm / (norm + NormEpsilon);
        if (coef < 1) Adam.Scale(gradients, (float)coef);
        return norm;
    }

    /// <summary>Clamps every gradient to <c>[-maxValue, maxValue]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxValue"/> is not positive and finite.</exception>
    public static void ClipByValue(Span<float> gradients, float maxValue)
    {
        if (!(maxValue > 0) || float.IsInfinity(maxValue))
            throw new ArgumentOutOfRangeException(nameof(maxValue), maxValue, "The maximum value must be a positive finite number.");
        ref float g = ref MemoryMarshal.GetReference(gradients);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var hi = new Vector<float>(maxValue);
            var lo = new Vector<float>(-maxValue);
            for (; i <= gradients.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                ref float gi = ref Unsafe.Add(ref g, i);
                Vector.Min(Vector.Max(Vector.LoadUnsafe(ref gi), lo), hi).StoreUnsafe(ref gi);
            }
        }
        for (; i < gradients.Length; i++)
        {
            Unsafe.Add(ref g, i) = Math.Clamp(Unsafe.Add(ref g, i), -maxValue, maxValue);
        }
    }

    internal static double SumOfSquares(ReadOnlySpan<float> values)
    {
        ref float x = ref MemoryMarshal.GetReference(values);
        int i = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var acc = Vector<double>.Zero;
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref Unsafe.Add(ref x, i)), out Vector<double> low, out Vector<double> high);
                acc += low * low + high * high;
            }
            sum = Vector.Sum(acc);
        }
        for (; i < values.Length; i++)
        {
            double v = Unsafe.Add(ref x, i);
            sum += v * v;
        }
        return sum;
    }

    /// <summary>Index of the first NaN or infinity in <paramref name="values"/>, or -1.</summary>
    internal static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        ref float x = ref MemoryMarshal.GetReference(values);
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            // x - x is 0 for finite x and NaN for NaN or infinity; NaN then sticks in the sum.
            var acc = Vector<float>.Zero;
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = Vector.LoadUnsafe(ref Unsafe.Add(ref x, i));
                acc += v - v;
            }
            if (!Vector.EqualsAll(acc, Vector<float>.Zero)) i = 0; // something is not finite: find it below

        }
        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(Unsafe.Add(ref x, i))) return i;
        }
        return -1;
    }
}
