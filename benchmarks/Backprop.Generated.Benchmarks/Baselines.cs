using System;
using Backprop.Generated;
using System.Numerics.Tensors;

namespace Backprop.Generated.Benchmarks;

/// <summary>What the baselines offer: the same calls as a generated network plus an SGD step.</summary>
public interface IBaselineMlp
{
    void Forward(ReadOnlySpan<float> inputs, Span<float> outputs);

    /// <summary>k samples: adds ∂(mean loss)/∂θ to the gradients, returns the mean loss.</summary>
    float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets);

    void Step(float learningRate);

    void ZeroGradients();
}

/// <summary>Shared storage of both baselines: per layer W [out × in] row-major, b, their gradients, and per-sample buffers.</summary>
public abstract class BaselineMlpBase : IBaselineMlp
{
    protected readonly NetworkSpec Spec;
    protected readonly int Layers;
    protected readonly float[][] W, B, GW, GB;
    protected readonly float[][] A;   // A[0] = input copy, A[l + 1] = activations of layer l
    protected readonly float[][] D;   // D[l] = ∂L/∂z of layer l

    protected BaselineMlpBase(NetworkSpec spec, int seed)
    {
        Spec = spec;
        Layers = spec.Sizes.Length - 1;
        W = new float[Layers][]; B = new float[Layers][]; GW = new float[Layers][]; GB = new float[Layers][];
        A = new float[Layers + 1][]; D = new float[Layers][];
        var rng = new Random(seed);
        A[0] = new float[spec.Sizes[0]];
        for (int l = 0; l < Layers; l++)
        {
            int n = spec.Sizes[l], m = spec.Sizes[l + 1];
            W[l] = new float[m * n]; B[l] = new float[m]; GW[l] = new float[m * n]; GB[l] = new float[m];
            A[l + 1] = new float[m]; D[l] = new float[m];
            float bound = MathF.Sqrt(6f / n);
            for (int i = 0; i < W[l].Length; i++) W[l][i] = (float)(rng.NextDouble() * 2 - 1) * bound;
        }
    }

    protected Activation ActivationOf(int l) => l == Layers - 1 ? Spec.Output : Spec.Hidden;

    public abstract void Forward(ReadOnlySpan<float> inputs, Span<float> outputs);

    public abstract float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets);

    public abstract void Step(float learningRate);

    public void ZeroGradients()
    {
        for (int l = 0; l < Layers; l++)
        {
            Array.Clear(GW[l]);
            Array.Clear(GB[l]);
        }
    }
}

/// <summary>
/// The straightforward hand-written MLP: nested for loops over arrays, one sample at a time, as a user would write it.
/// </summary>
public sealed class LoopMlp : BaselineMlpBase
{
    public LoopMlp(NetworkSpec spec, int seed) : base(spec, seed) { }

    public override void Forward(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        int nIn = Spec.InputSize, nOut = Spec.OutputSize;
        for (int s = 0; s < inputs.Length / nIn; s++)
        {
            ForwardOne(inputs.Slice(s * nIn, nIn));
            A[Layers].AsSpan().CopyTo(outputs.Slice(s * nOut, nOut));
        }
    }

    private void ForwardOne(ReadOnlySpan<float> x)
    {
        x.CopyTo(A[0]);
        for (int l = 0; l < Layers; l++)
        {
            float[] w = W[l], b = B[l], input = A[l], output = A[l + 1];
            int n = input.Length, m = output.Length;
            for (int o = 0; o < m; o++)
            {
                float z = b[o];
                for (int i = 0; i < n; i++) z += w[o * n + i] * input[i];
                output[o] = z;
            }
            switch (ActivationOf(l))
            {
                case Activation.ReLU:
                    for (int o = 0; o < m; o++) output[o] = output[o] > 0 ? output[o] : 0;
                    break;
                case Activation.Tanh:
                    for (int o = 0; o < m; o++) output[o] = MathF.Tanh(output[o]);
                    break;
                case Activation.Sigmoid:
                    for (int o = 0; o < m; o++) output[o] = 1f / (1f + MathF.Exp(-output[o]));
                    break;
                case Activation.Softmax:
                    float max = output[0];
                    for (int o = 1; o < m; o++) max = Math.Max(max, output[o]);
                    float sum = 0;
                    for (int o = 0; o < m; o++) { output[o] = MathF.Exp(output[o] - max); sum += output[o]; }
                    for (int o = 0; o < m; o++) output[o] /= sum;
                    break;
            }
        }
    }

    public override float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets)
    {
        int nIn = Spec.InputSize, nOut = Spec.OutputSize;
        int k = inputs.Length / nIn;
        bool mse = Spec.Loss == Loss.MeanSquaredError;
        float scale = mse ? 1f / (k * nOut) : 1f / k;
        float total = 0;
        for (int s = 0; s < k; s++)
        {
            ForwardOne(inputs.Slice(s * nIn, nIn));
            ReadOnlySpan<float> t = targets.Slice(s * nOut, nOut);
            float[] y = A[Layers], dz = D[Layers - 1];
            for (int j = 0; j < nOut; j++)
            {
                if (mse)
                {
                    float r = y[j] - t[j];
                    total += r * r / nOut;
                    dz[j] = 2 * r * scale * y[j] * (1 - y[j]); // through the sigmoid
                }
                else
                {
                    total -= t[j] * MathF.Log(Math.Max(y[j], 1e-30f));
                    dz[j] = (y[j] - t[j]) * scale; // softmax + cross-entropy
                }
            }
            for (int l = Layers - 1; l >= 0; l--)
            {
                float[] w = W[l], gw = GW[l], gb = GB[l], input = A[l], d = D[l];
                int n = input.Length, m = d.Length;
                for (int o = 0; o < m; o++)
                {
                    for (int i = 0; i < n; i++) gw[o * n + i] += d[o] * input[i];
                    gb[o] += d[o];
                }
                if (l == 0) break;
                float[] below = D[l - 1];
                for (int i = 0; i < n; i++)
                {
                    float sum = 0;
                    for (int o = 0; o < m; o++) sum += w[o * n + i] * d[o];
                    float a = input[i];
                    below[i] = ActivationOf(l - 1) switch
                    {
                        Activation.ReLU => a > 0 ? sum : 0,
                        Activation.Tanh => sum * (1 - a * a),
                        _ => sum * a * (1 - a),
                    };
                }
            }
        }
        return total / k;
    }

    public override void Step(float learningRate)
    {
        for (int l = 0; l < Layers; l++)
        {
            for (int i = 0; i < W[l].Length; i++) W[l][i] -= learningRate * GW[l][i];
            for (int i = 0; i < B[l].Length; i++) B[l][i] -= learningRate * GB[l][i];
        }
    }
}

/// <summary>
/// The same MLP built on <see cref="TensorPrimitives"/>: a dot product per output unit, a scaled add per gradient
/// row, vectorized activations and updates; one sample at a time (TensorPrimitives has no matrix product).
/// </summary>
public sealed class TensorPrimitivesMlp : BaselineMlpBase
{
    private readonly float[] _scratch;

    public TensorPrimitivesMlp(NetworkSpec spec, int seed) : base(spec, seed)
    {
        int widest = 0;
        foreach (int size in spec.Sizes) widest = Math.Max(widest, size);
        _scratch = new float[widest];
    }

    public override void Forward(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        int nIn = Spec.InputSize, nOut = Spec.OutputSize;
        for (int s = 0; s < inputs.Length / nIn; s++)
        {
            ForwardOne(inputs.Slice(s * nIn, nIn));
            A[Layers].AsSpan().CopyTo(outputs.Slice(s * nOut, nOut));
        }
    }

    private void ForwardOne(ReadOnlySpan<float> x)
    {
        x.CopyTo(A[0]);
        for (int l = 0; l < Layers; l++)
        {
            float[] w = W[l], input = A[l], output = A[l + 1];
            int n = input.Length, m = output.Length;
            for (int o = 0; o < m; o++) output[o] = TensorPrimitives.Dot(w.AsSpan(o * n, n), input);
            TensorPrimitives.Add(output, B[l], output);
            switch (ActivationOf(l))
            {
                case Activation.ReLU: TensorPrimitives.Max(output, 0f, output); break;
                case Activation.Tanh: TensorPrimitives.Tanh(output, output); break;
                case Activation.Sigmoid: TensorPrimitives.Sigmoid(output, output); break;
                case Activation.Softmax: TensorPrimitives.SoftMax(output, output); break;
            }
        }
    }

    public override float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets)
    {
        int nIn = Spec.InputSize, nOut = Spec.OutputSize;
        int k = inputs.Length / nIn;
        bool mse = Spec.Loss == Loss.MeanSquaredError;
        float scale = mse ? 1f / (k * nOut) : 1f / k;
        float total = 0;
        for (int s = 0; s < k; s++)
        {
            ForwardOne(inputs.Slice(s * nIn, nIn));
            ReadOnlySpan<float> t = targets.Slice(s * nOut, nOut);
            float[] y = A[Layers], dz = D[Layers - 1];
            TensorPrimitives.Subtract(y, t, dz);                       // y − t
            if (mse)
            {
                total += TensorPrimitives.Dot(dz, dz) / nOut;
                Span<float> derivative = _scratch.AsSpan(0, nOut);     // σ' = y (1 − y)
                TensorPrimitives.Subtract(1f, y, derivative);
                TensorPrimitives.Multiply(derivative, y, derivative);
                TensorPrimitives.Multiply(dz, derivative, dz);
                TensorPrimitives.Multiply(dz, 2 * scale, dz);
            }
            else
            {
                for (int j = 0; j < nOut; j++) total -= t[j] * MathF.Log(Math.Max(y[j], 1e-30f));
                TensorPrimitives.Multiply(dz, scale, dz);
            }
            for (int l = Layers - 1; l >= 0; l--)
            {
                float[] w = W[l], gw = GW[l], input = A[l], d = D[l];
                int n = input.Length, m = d.Length;
                for (int o = 0; o < m; o++)
                {
                    Span<float> row = gw.AsSpan(o * n, n);
                    TensorPrimitives.MultiplyAdd(input, d[o], row, row);   // gW[o] += d[o] · x
                }
                TensorPrimitives.Add(GB[l], d, GB[l]);
                if (l == 0) break;
                float[] below = D[l - 1];
                Array.Clear(below);
                for (int o = 0; o < m; o++) TensorPrimitives.MultiplyAdd(w.AsSpan(o * n, n), d[o], below, below); // Wᵀ · d
                switch (ActivationOf(l - 1))
                {
                    case Activation.ReLU:
                        for (int i = 0; i < n; i++) if (input[i] <= 0) below[i] = 0;
                        break;
                    case Activation.Tanh:
                        Span<float> derivative = _scratch.AsSpan(0, n);        // 1 − a²
                        TensorPrimitives.Multiply(input, input, derivative);
                        TensorPrimitives.Subtract(1f, derivative, derivative);
                        TensorPrimitives.Multiply(below, derivative, below);
                        break;
                }
            }
        }
        return total / k;
    }

    public override void Step(float learningRate)
    {
        for (int l = 0; l < Layers; l++)
        {
            TensorPrimitives.MultiplyAdd(GW[l], -learningRate, W[l], W[l]);
            TensorPrimitives.MultiplyAdd(GB[l], -learningRate, B[l], B[l]);
        }
    }
}
