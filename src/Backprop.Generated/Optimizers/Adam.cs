using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Generated;

/// <summary>
/// Adam (Kingma and Ba 2015) with bias correction, as <c>torch.optim.Adam</c>; with <see cref="WeightDecay"/> &gt; 0
/// it is AdamW (Loshchilov and Hutter 2019), as <c>torch.optim.AdamW</c> with the decay applied to weights only.
/// </summary>
/// <remarks>
/// At step <c>t</c>: <c>m = beta1 m + (1 - beta1) g</c>, <c>v = beta2 v + (1 - beta2) g^2</c>,
/// <c>denom = sqrt(v) / sqrt(1 - beta2^t) + epsilon</c>, <c>p -= (lr / (1 - beta1^t)) m / denom</c>.
/// With decoupled weight decay <c>wd</c>, Dense and convolution weights (<see cref="TensorInfo.IsWeight"/>) are first scaled
/// by <c>1 - lr wd</c>; biases are not decayed (pass them to PyTorch as a parameter group with
/// <c>weight_decay=0</c> to compare).
/// </remarks>
public sealed class Adam : Optimizer
{
    /// <summary>Creates the optimizer with PyTorch's defaults unless given.</summary>
    /// <param name="learningRate">The step size, a positive finite number.</param>
    /// <param name="beta1">Decay of the first-moment estimate, in [0, 1).</param>
    /// <param name="beta2">Decay of the second-moment estimate, in [0, 1).</param>
    /// <param name="epsilon">Added to the denominator for stability, a finite number &gt;= 0.</param>
    /// <param name="weightDecay">Decoupled (AdamW) weight decay of the weights, a finite number &gt;= 0; 0 means plain Adam.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    public Adam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0f)
        : base(learningRate)
    {
        Beta1 = Check(beta1, nameof(beta1), 0f, 1f, maxExclusive: true);
        Beta2 = Check(beta2, nameof(beta2), 0f, 1f, maxExclusive: true);
        Epsilon = Check(epsilon, nameof(epsilon), 0f, float.PositiveInfinity);
        WeightDecay = Check(weightDecay, nameof(weightDecay), 0f, float.PositiveInfinity);
    }

    /// <summary>Decay of the first-moment (mean) estimate.</summary>
    public float Beta1 { get; }

    /// <summary>Decay of the second-moment (uncentered variance) estimate.</summary>
    public float Beta2 { get; }

    /// <summary>Added to the bias-corrected root of the second moment.</summary>
    public float Epsilon { get; }

    /// <summary>Decoupled weight decay of the Dense and convolution weights (AdamW); 0 for plain Adam.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    protected override string Configuration =>
        $"beta1={Format(Beta1)}, beta2={Format(Beta2)}, epsilon={Format(Epsilon)}, weightDecay={Format(WeightDecay)}";

    /// <inheritdoc/>
    protected override int BufferCount => 2;

    /// <inheritdoc/>
    protected override void Update(INetwork network, Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        double lr = LearningRate;
        if (WeightDecay != 0)
        {
            float decay = (float)(1.0 - lr * WeightDecay);
            var tensors = network.Tensors;
            for (int t = 0; t < tensors.Count; t++)
            {
                TensorInfo info = tensors[t];
                if (info.IsWeight && info.Storage == TensorStorage.Parameters) Scale(info.Slice(parameters), decay);
            }
        }

        float beta1 = Beta1, beta2 = Beta2, eps = Epsilon;
        float oneMinusBeta1 = (float)(1.0 - beta1);
        float oneMinusBeta2 = (float)(1.0 - beta2);
        double biasCorrection1 = 1.0 - Math.Pow(beta1, step);
        double biasCorrection2 = 1.0 - Math.Pow(beta2, step);
        float negStepSize = (float)-(lr / biasCorrection1);
        float biasCorrection2Sqrt = (float)Math.Sqrt(biasCorrection2);

        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float m = ref MemoryMarshal.GetReference(GetBuffer(0));
        ref float v = ref MemoryMarshal.GetReference(GetBuffer(1));
        int n = parameters.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vb1 = new Vector<float>(beta1);
            var vb2 = new Vector<float>(beta2);
            var v1b1 = new Vector<float>(oneMinusBeta1);
            var v1b2 = new Vector<float>(oneMinusBeta2);
            var veps = new Vector<float>(eps);
            var vstep = new Vector<float>(negStepSize);
            var vbc2 = new Vector<float>(biasCorrection2Sqrt);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var gi = Vector.LoadUnsafe(ref Unsafe.Add(ref g, i));
                var mi = Vector.LoadUnsafe(ref Unsafe.Add(ref m, i)) * vb1 + v1b1 * gi;
                var vi = Vector.LoadUnsafe(ref Unsafe.Add(ref v, i)) * vb2 + v1b2 * gi * gi;
                var denom = Vector.SquareRoot(vi) / vbc2 + veps;
                ref float pi = ref Unsafe.Add(ref p, i);
                (Vector.LoadUnsafe(ref pi) + vstep * mi / denom).StoreUnsafe(ref pi);
                mi.StoreUnsafe(ref Unsafe.Add(ref m, i));
                vi.StoreUnsafe(ref Unsafe.Add(ref v, i));
            }
        }
        for (; i < n; i++)
        {
            float gi = Unsafe.Add(ref g, i);
            float mi = Unsafe.Add(ref m, i) * beta1 + oneMinusBeta1 * gi;
            float vi = Unsafe.Add(ref v, i) * beta2 + oneMinusBeta2 * gi * gi;
            float denom = MathF.Sqrt(vi) / biasCorrection2Sqrt + eps;
            Unsafe.Add(ref p, i) += negStepSize * mi / denom;
            Unsafe.Add(ref m, i) = mi;
            Unsafe.Add(ref v, i) = vi;
        }
    }

    internal static void Scale(Span<float> values, float factor)
    {
        ref float x = ref MemoryMarshal.GetReference(values);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var f = new Vector<float>(factor);
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                ref float xi = ref Unsafe.Add(ref x, i);
                (Vector.LoadUnsafe(ref xi) * f).StoreUnsafe(ref xi);
            }
        }
        for (; i < values.Length; i++)
        {
            Unsafe.Add(ref x, i) *= factor;
        }
    }
}
