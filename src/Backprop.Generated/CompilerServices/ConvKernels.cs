using System;
using System.ComponentModel;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// The convolution kernels of generated networks, over <c>samples</c> samples stored one after another (each
/// <see cref="ConvShape.InputSize"/> or <see cref="ConvShape.OutputSize"/> floats, channel-major). The caller passes
/// spans of the stated lengths. Where Vector512 or Vector256 is accelerated the sums run as register-tiled products
/// (<see cref="ConvGemm"/>: the input gradient so for stride 1, plain loops for larger strides); elsewhere as the plain
/// loops below. Used by generated code; versioned with the generator (one package).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ConvKernels
{
    /// <summary>
    /// The pre-activations <c>z[f, y, x] = b[f] + Σ_c Σ_u Σ_v W[f, c, u, v] · in[c, y·sy + u·dy − py, x·sx + v·dx − px]</c>
    /// (zero outside the input) of every sample, written to <paramref name="output"/>.
    /// </summary>
    public static void Forward(in ConvShape shape, ReadOnlySpan<float> weights, ReadOnlySpan<float> biases, ReadOnlySpan<float> input, Span<float> output, int samples)
    {
        if (ConvGemm.IsAccelerated) ConvGemm.Forward(shape, weights, biases, input, output, samples);
        else ForwardLoops(shape, weights, biases, input, output, samples);
    }

    /// <summary>The plain loops of <see cref="Forward"/> (no SIMD hardware; the benchmarks' baseline).</summary>
    internal static void ForwardLoops(in ConvShape shape, ReadOnlySpan<float> weights, ReadOnlySpan<float> biases, ReadOnlySpan<float> input, Span<float> output, int samples)
    {
        int inSize = shape.InputSize, outSize = shape.OutputSize, plane = shape.OutHeight * shape.OutWidth;
        for (int s = 0; s < samples; s++)
        {
            ReadOnlySpan<float> x = input.Slice(s * inSize, inSize);
            Span<float> z = output.Slice(s * outSize, outSize);
            for (int f = 0; f < shape.Filters; f++)
            {
                z.Slice(f * plane, plane).Fill(biases[f]);
                for (int c = 0; c < shape.InChannels; c++)
                {
                    for (int u = 0; u < shape.KernelHeight; u++)
                    {
                        for (int v = 0; v < shape.KernelWidth; v++)
                        {
                            float w = weights[((f * shape.InChannels + c) * shape.KernelHeight + u) * shape.KernelWidth + v];
                            for (int y = 0; y < shape.OutHeight; y++)
                            {
                                int iy = y * shape.StrideY + u * shape.DilationY - shape.PaddingY;
                                if ((uint)iy >= (uint)shape.InHeight) continue;
                                for (int ox = 0; ox < shape.OutWidth; ox++)
                                {
                                    int ix = ox * shape.StrideX + v * shape.DilationX - shape.PaddingX;
                                    if ((uint)ix >= (uint)shape.InWidth) continue;
                                    z[(f * shape.OutHeight + y) * shape.OutWidth + ox] += w * x[(c * shape.InHeight + iy) * shape.InWidth + ix];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The gradient with respect to every sample's input,
    /// <c>∂L/∂in[c, i, j] = Σ_f Σ_{u,v} W[f, c, u, v] · ∂L/∂z[f, y, x]</c> over the (y, x) with
    /// <c>y·sy + u·dy − py = i</c> and <c>x·sx + v·dx − px = j</c>, written (not added) to <paramref name="inputGradient"/>.
    /// </summary>
    public static void InputGradient(in ConvShape shape, ReadOnlySpan<float> weights, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int samples)
    {
        if (ConvGemm.IsAccelerated && shape.StrideY == 1 && shape.StrideX == 1) ConvGemm.InputGradient(shape, weights, outputGradient, inputGradient, samples);
        else InputGradientLoops(shape, weights, outputGradient, inputGradient, samples);
    }

    /// <summary>The plain loops of <see cref="InputGradient"/> (no SIMD hardware, or a stride above 1).</summary>
    internal static void InputGradientLoops(in ConvShape shape, ReadOnlySpan<float> weights, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int samples)
    {
        int inSize = shape.InputSize, outSize = shape.OutputSize;
        inputGradient.Slice(0, samples * inSize).Clear();
        for (int s = 0; s < samples; s++)
        {
            ReadOnlySpan<float> dz = outputGradient.Slice(s * outSize, outSize);
            Span<float> dx = inputGradient.Slice(s * inSize, inSize);
            for (int f = 0; f < shape.Filters; f++)
            {
                for (int c = 0; c < shape.InChannels; c++)
                {
                    for (int u = 0; u < shape.KernelHeight; u++)
                    {
                        for (int v = 0; v < shape.KernelWidth; v++)
                        {
                            float w = weights[((f * shape.InChannels + c) * shape.KernelHeight + u) * shape.KernelWidth + v];
                            for (int y = 0; y < shape.OutHeight; y++)
                            {
                                int iy = y * shape.StrideY + u * shape.DilationY - shape.PaddingY;
                                if ((uint)iy >= (uint)shape.InHeight) continue;
                                for (int ox = 0; ox < shape.OutWidth; ox++)
                                {
                                    int ix = ox * shape.StrideX + v * shape.DilationX - shape.PaddingX;
                                    if ((uint)ix >= (uint)shape.InWidth) continue;
                                    dx[(c * shape.InHeight + iy) * shape.InWidth + ix] += w * dz[(f * shape.OutHeight + y) * shape.OutWidth + ox];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Adds the weight and bias gradients of every sample:
    /// <c>∂L/∂W[f, c, u, v] += Σ_{y,x} ∂L/∂z[f, y, x] · in[c, y·sy + u·dy − py, x·sx + v·dx − px]</c> and
    /// <c>∂L/∂b[f] += Σ_{y,x} ∂L/∂z[f, y, x]</c>.
    /// </summary>
    public static void AddWeightGradient(in ConvShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> weightGradient, Span<float> biasGradient, int samples)
    {
        if (ConvGemm.IsAccelerated) ConvGemm.AddWeightGradient(shape, input, outputGradient, weightGradient, biasGradient, samples);
        else AddWeightGradientLoops(shape, input, outputGradient, weightGradient, biasGradient, samples);
    }

    /// <summary>The plain loops of <see cref="AddWeightGradient"/> (no SIMD hardware).</summary>
    internal static void AddWeightGradientLoops(in ConvShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> weightGradient, Span<float> biasGradient, int samples)
    {
        int inSize = shape.InputSize, outSize = shape.OutputSize, plane = shape.OutHeight * shape.OutWidth;
        for (int s = 0; s < samples; s++)
        {
            ReadOnlySpan<float> x = input.Slice(s * inSize, inSize);
            ReadOnlySpan<float> dz = outputGradient.Slice(s * outSize, outSize);
            for (int f = 0; f < shape.Filters; f++)
            {
                float sum = 0f;
                foreach (float g in dz.Slice(f * plane, plane)) sum += g;
                biasGradient[f] += sum;
                for (int c = 0; c < shape.InChannels; c++)
                {
                    for (int u = 0; u < shape.KernelHeight; u++)
                    {
                        for (int v = 0; v < shape.KernelWidth; v++)
                        {
                            float acc = 0f;
                            for (int y = 0; y < shape.OutHeight; y++)
                            {
                                int iy = y * shape.StrideY + u * shape.DilationY - shape.PaddingY;
                                if ((uint)iy >= (uint)shape.InHeight) continue;
                                for (int ox = 0; ox < shape.OutWidth; ox++)
                                {
                                    int ix = ox * shape.StrideX + v * shape.DilationX - shape.PaddingX;
                                    if ((uint)ix >= (uint)shape.InWidth) continue;
                                    acc += dz[(f * shape.OutHeight + y) * shape.OutWidth + ox] * x[(c * shape.InHeight + iy) * shape.InWidth + ix];
                                }
                            }
                            weightGradient[((f * shape.InChannels + c) * shape.KernelHeight + u) * shape.KernelWidth + v] += acc;
                        }
                    }
                }
            }
        }
    }
}

/// <summary>
/// The pooling kernels of generated networks, over <c>samples</c> samples stored one after another, channel-major.
/// Windows of 2 × 2 and 1-D windows of 2 run eight outputs at a time where AVX2 is (<see cref="PoolPairs"/>, the same
/// results); other windows, and machines without AVX2, run the plain loops below. Used by generated code; versioned
/// with the generator (one package).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PoolKernels
{
    /// <summary>The largest value of each window.</summary>
    public static void MaxForward(in PoolShape shape, ReadOnlySpan<float> input, Span<float> output, int samples)
    {
        if (PoolPairs.Applies(shape))
        {
            PoolPairs.MaxForward(shape, input.Slice(0, samples * shape.InputSize), output.Slice(0, samples * shape.OutputSize), samples);
            return;
        }
        int planes = samples * shape.Channels, inPlane = shape.InHeight * shape.InWidth, outPlane = shape.OutHeight * shape.OutWidth;
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> x = input.Slice(p * inPlane, inPlane);
            Span<float> y = output.Slice(p * outPlane, outPlane);
            for (int oy = 0; oy < shape.OutHeight; oy++)
            {
                for (int ox = 0; ox < shape.OutWidth; ox++)
                {
                    y[oy * shape.OutWidth + ox] = x[ArgMax(shape, x, oy, ox)];
                }
            }
        }
    }

    /// <summary>
    /// Routes each output's gradient to the first maximum of its window in row-major order (found again from
    /// <paramref name="input"/>); every other input, and those left out of every window, get 0. Writes (does not add).
    /// </summary>
    public static void MaxBackward(in PoolShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int samples)
    {
        if (PoolPairs.Applies(shape))
        {
            PoolPairs.MaxBackward(shape, input.Slice(0, samples * shape.InputSize), outputGradient.Slice(0, samples * shape.OutputSize), inputGradient.Slice(0, samples * shape.InputSize), samples);
            return;
        }
        int planes = samples * shape.Channels, inPlane = shape.InHeight * shape.InWidth, outPlane = shape.OutHeight * shape.OutWidth;
        inputGradient.Slice(0, planes * inPlane).Clear();
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> x = input.Slice(p * inPlane, inPlane);
            ReadOnlySpan<float> dy = outputGradient.Slice(p * outPlane, outPlane);
            Span<float> dx = inputGradient.Slice(p * inPlane, inPlane);
            for (int oy = 0; oy < shape.OutHeight; oy++)
            {
                for (int ox = 0; ox < shape.OutWidth; ox++)
                {
                    dx[ArgMax(shape, x, oy, ox)] += dy[oy * shape.OutWidth + ox];
                }
            }
        }
    }

    /// <summary>The mean of each window.</summary>
    public static void AverageForward(in PoolShape shape, ReadOnlySpan<float> input, Span<float> output, int samples)
    {
        if (PoolPairs.Applies(shape))
        {
            PoolPairs.AverageForward(shape, input.Slice(0, samples * shape.InputSize), output.Slice(0, samples * shape.OutputSize), samples);
            return;
        }
        int planes = samples * shape.Channels, inPlane = shape.InHeight * shape.InWidth, outPlane = shape.OutHeight * shape.OutWidth;
        float scale = 1f / (shape.WindowHeight * shape.WindowWidth);
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> x = input.Slice(p * inPlane, inPlane);
            Span<float> y = output.Slice(p * outPlane, outPlane);
            for (int oy = 0; oy < shape.OutHeight; oy++)
            {
                for (int ox = 0; ox < shape.OutWidth; ox++)
                {
                    float sum = 0f;
                    for (int u = 0; u < shape.WindowHeight; u++)
                    {
                        for (int v = 0; v < shape.WindowWidth; v++)
                        {
                            sum += x[(oy * shape.WindowHeight + u) * shape.InWidth + ox * shape.WindowWidth + v];
                        }
                    }
                    y[oy * shape.OutWidth + ox] = sum * scale;
                }
            }
        }
    }

    /// <summary>Spreads each output's gradient evenly over its window (∂y/∂x = 1 / window area); inputs left out of every window get 0. Writes (does not add).</summary>
    public static void AverageBackward(in PoolShape shape, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int samples)
    {
        if (PoolPairs.Applies(shape))
        {
            PoolPairs.AverageBackward(shape, outputGradient.Slice(0, samples * shape.OutputSize), inputGradient.Slice(0, samples * shape.InputSize), samples);
            return;
        }
        int planes = samples * shape.Channels, inPlane = shape.InHeight * shape.InWidth, outPlane = shape.OutHeight * shape.OutWidth;
        float scale = 1f / (shape.WindowHeight * shape.WindowWidth);
        inputGradient.Slice(0, planes * inPlane).Clear();
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> dy = outputGradient.Slice(p * outPlane, outPlane);
            Span<float> dx = inputGradient.Slice(p * inPlane, inPlane);
            for (int oy = 0; oy < shape.OutHeight; oy++)
            {
                for (int ox = 0; ox < shape.OutWidth; ox++)
                {
                    float g = dy[oy * shape.OutWidth + ox] * scale;
                    for (int u = 0; u < shape.WindowHeight; u++)
                    {
                        for (int v = 0; v < shape.WindowWidth; v++)
                        {
                            dx[(oy * shape.WindowHeight + u) * shape.InWidth + ox * shape.WindowWidth + v] = g;
                        }
                    }
                }
            }
        }
    }

    private static int ArgMax(in PoolShape shape, ReadOnlySpan<float> x, int oy, int ox)
    {
        int best = oy * shape.WindowHeight * shape.InWidth + ox * shape.WindowWidth;
        for (int u = 0; u < shape.WindowHeight; u++)
        {
            for (int v = 0; v < shape.WindowWidth; v++)
            {
                int i = (oy * shape.WindowHeight + u) * shape.InWidth + ox * shape.WindowWidth + v;
                if (x[i] > x[best]) best = i;
            }
        }
        return best;
    }
}
