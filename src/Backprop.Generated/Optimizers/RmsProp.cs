using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Generated;

/// <summary>RMSProp (Hinton 2012) with optional momentum and centering, as <c>torch.optim.RMSprop</c>.</summary>
/// <remarks>
/// <c>s = alpha s + (1 - alpha) g^2</c>; centered: <c>a = alpha a + (1 - alpha) g</c> and
/// <c>avg = sqrt(s - a^2) + epsilon</c>, otherwise <c>avg = sqrt(s) + epsilon</c>. Without momentum
/// <c>p -= lr g / avg</c>; with momentum <c>mu</c>: <c>b = mu b + g / avg</c>, <c>p -= lr b</c>.
/// </remarks>
public sealed class RmsProp : Optimizer
{
    /// <summary>Creates the optimizer with PyTorch's defaults unless given.</summary>
    /// <param name="learningRate">The step size, a positive finite number.</param>
    /// <param name="alpha">The smoothing constant (often called rho), in [0, 1).</param>
    /// <param name="epsilon">Added to the denominator for stability, a finite number &gt;= 0.</param>
    /// <param name="momentum">The momentum factor, in [0, 1); 0 means none.</param>
    /// <param name="centered">Normalize by the estimated variance of the gradient instead of its second moment.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    public RmsProp(float learningRate = 0.01f, float alpha = 0.99f, float epsilon = 1e-8f, float momentum = 0f, bool centered = false)
        : base(learningRate)
    {
        Alpha = Check(alpha, nameof(alpha), 0f, 1f, maxExclusive: true);
        Epsilon = Check(epsilon, nameof(epsilon), 0f, float.PositiveInfinity);
        Momentum = Check(momentum, nameof(momentum), 0f, 1f, maxExclusive: true);
        Centered = centered;
    }

    /// <summary>The smoothing constant of the squared-gradient average (PyTorch's <c>alpha</c>, Keras' <c>rho</c>).</summary>
    public float Alpha { get; }

    /// <summary>Added to the root of the average.</summary>
    public float Epsilon { get; }

    /// <summary>The momentum factor; 0 means none.</summary>
    public float Momentum { get; }

    /// <summary>Whether the gradient's mean is subtracted (centered RMSProp).</summary>
    public bool Centered { get; }

    /// <inheritdoc/>
    protected override string Configuration =>
        $"alpha={Format(Alpha)}, epsilon={Format(Epsilon)}, momentum={Format(Momentum)}, centered={(Centered ? "true" : "false")}";

    /// <inheritdoc/>
    protected override int BufferCount => 1 + (Momentum > 0 ? 1 : 0) + (Centered ? 1 : 0);

    /// <inheritdoc/>
    protected override void Update(INetwork network, Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        float alpha = Alpha, eps = Epsilon, mu = Momentum;
        float oneMinusAlpha = (float)(1.0 - alpha);
        float lr = LearningRate;
        float negLr = -lr;
        bool momentum = mu > 0, centered = Centered;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float s = ref MemoryMarshal.GetReference(GetBuffer(0));
        ref float b = ref momentum ? ref MemoryMarshal.GetReference(GetBuffer(1)) : ref s;
        ref float a = ref centered ? ref MemoryMarshal.GetReference(GetBuffer(momentum ? 2 : 1)) : ref s;
        int n = parameters.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var valpha = new Vector<float>(alpha);
            var v1alpha = new Vector<float>(oneMinusAlpha);
            var veps = new Vector<float>(eps);
            var vmu = new Vector<float>(mu);
            var vneg = new Vector<float>(negLr);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var gi = Vector.LoadUnsafe(ref Unsafe.Add(ref g, i));
                var si = Vector.LoadUnsafe(ref Unsafe.Add(ref s, i)) * valpha + v1alpha * gi * gi;
                si.StoreUnsafe(ref Unsafe.Add(ref s, i));
                Vector<float> avg;
                if (centered)
                {
                    var ai = Vector.LoadUnsafe(ref Unsafe.Add(ref a, i)) * valpha + v1alpha * gi;
                    ai.StoreUnsafe(ref Unsafe.Add(ref a, i));
                    avg = Vector.SquareRoot(si - ai * ai) + veps;
                }
                else
                {
                    avg = Vector.SquareRoot(si) + veps;
                }
                ref float pi = ref Unsafe.Add(ref p, i);
                if (momentum)
                {
                    var bi = Vector.LoadUnsafe(ref Unsafe.Add(ref b, i)) * vmu + gi / avg;
                    bi.StoreUnsafe(ref Unsafe.Add(ref b, i));
                    (Vector.LoadUnsafe(ref pi) + vneg * bi).StoreUnsafe(ref pi);
                }
                else
                {
                    (Vector.LoadUnsafe(ref pi) + vneg * gi / avg).StoreUnsafe(ref pi);
                }
            }
        }
        for (; i < n; i++)
        {
            float gi = Unsafe.Add(ref g, i);
            float si = Unsafe.Add(ref s, i) * alpha + oneMinusAlpha * gi * gi;
            Unsafe.Add(ref s, i) = si;
            float avg;
            if (centered)
            {
                float ai = Unsafe.Add(ref a, i) * alpha + oneMinusAlpha * gi;
                Unsafe.Add(ref a, i) = ai;
                avg = MathF.Sqrt(si - ai * ai) + eps;
            }
            else
            {
                avg = MathF.Sqrt(si) + eps;
            }
            if (momentum)
            {
                float bi = Unsafe.Add(ref b, i) * mu + gi / avg;
                Unsafe.Add(ref b, i) = bi;
                Unsafe.Add(ref p, i) += negLr * bi;
            }
            else
            {
                Unsafe.Add(ref p, i) += negLr * gi / avg;
            }
        }
    }
}
