using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests.Kernels;

/// <summary>
/// The direct-loop convolution and pooling kernels the runtime started from (ConvKernels/PoolKernels before they were
/// made fast), computing in double, each value with the sum of the magnitudes of its terms and the number of terms,
/// from which the tests derive the float error bound (<see cref="KernelTestData.Bound"/>).
/// </summary>
internal static class ConvReference
{
    /// <summary>A reference value: the exact-ish sum, Σ|term| and the number of terms summed (for the error bound).</summary>
    public readonly record struct Value(double Sum, double Magnitude, int Terms);

    public static Value[] Forward(in ConvShape shape, ReadOnlySpan<float> weights, ReadOnlySpan<float> biases, ReadOnlySpan<float> input, int samples)
    {
        int inSize = shape.InputSize, outSize = shape.OutputSize;
        var z = new double[samples * outSize];
        var mag = new double[samples * outSize];
        for (int s = 0; s < samples; s++)
        {
            for (int f = 0; f < shape.Filters; f++)
            {
                for (int y = 0; y < shape.OutHeight; y++)
                {
                    for (int ox = 0; ox < shape.OutWidth; ox++)
                    {
                        double sum = biases[f], m = Math.Abs(biases[f]);
                        for (int c = 0; c < shape.InChannels; c++)
                        {
                            for (int u = 0; u < shape.KernelHeight; u++)
                            {
                                int iy = y * shape.StrideY + u * shape.DilationY - shape.PaddingY;
                                if ((uint)iy >= (uint)shape.InHeight) continue;
                                for (int v = 0; v < shape.KernelWidth; v++)
                                {
                                    int ix = ox * shape.StrideX + v * shape.DilationX - shape.PaddingX;
                                    if ((uint)ix >= (uint)shape.InWidth) continue;
                                    double t = (double)weights[((f * shape.InChannels + c) * shape.KernelHeight + u) * shape.KernelWidth + v]
                                        * input[s * inSize + (c * shape.InHeight + iy) * shape.InWidth + ix];
                                    sum += t;
                                    m += Math.Abs(t);
                                }
                            }
                        }
                        int i = s * outSize + (f * shape.OutHeight + y) * shape.OutWidth + ox;
                        z[i] = sum;
                        mag[i] = m;
                    }
                }
            }
        }
        return Pack(z, mag, shape.FanIn + 1);
    }

    public static Value[] InputGradient(in ConvShape shape, ReadOnlySpan<float> weights, ReadOnlySpan<float> outputGradient, int samples)
    {
        int inSize = shape.InputSize, outSize = shape.OutputSize;
        var dx = new double[samples * inSize];
        var mag = new double[samples * inSize];
        for (int s = 0; s < samples; s++)
        {
            for (int f = 0; f < shape.Filters; f++)
            {
                for (int c = 0; c < shape.InChannels; c++)
                {
                    for (int u = 0; u < shape.KernelHeight; u++)
                    {
                        for (int v = 0; v < shape.KernelWidth; v++)
                        {
                            double w = weights[((f * shape.InChannels + c) * shape.KernelHeight + u) * shape.KernelWidth + v];
                            for (int y = 0; y < shape.OutHeight; y++)
                            {
                                int iy = y * shape.StrideY + u * shape.DilationY - shape.PaddingY;
                                if ((uint)iy >= (uint)shape.InHeight) continue;
                                for (int ox = 0; ox < shape.OutWidth; ox++)
                                {
                                    int ix = ox * shape.StrideX + v * shape.DilationX - shape.PaddingX;
                                    if ((uint)ix >= (uint)shape.InWidth) continue;
                                    double t = w * outputGradient[s * outSize + (f * shape.OutHeight + y) * shape.OutWidth + ox];
                                    int i = s * inSize + (c * shape.InHeight + iy) * shape.InWidth + ix;
                                    dx[i] += t;
                                    mag[i] += Math.Abs(t);
                                }
                            }
                        }
                    }
                }
            }
        }
        return Pack(dx, mag, shape.Filters * shape.KernelHeight * shape.KernelWidth);
    }

    /// <summary>The weight gradients (Filters × FanIn values, then Filters bias values) added to <paramref name="initialWeights"/> and <paramref name="initialBiases"/>.</summary>
    public static (Value[] Weights, Value[] Biases) WeightGradient(in ConvShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient,
        ReadOnlySpan<float> initialWeights, ReadOnlySpan<float> initialBiases, int samples)
    {
        int inSize = shape.InputSize, outSize = shape.OutputSize, plane = shape.OutHeight * shape.OutWidth;
        var dw = new double[shape.WeightCount];
        var mw = new double[shape.WeightCount];
        var db = new double[shape.Filters];
        var mb = new double[shape.Filters];
        for (int i = 0; i < dw.Length; i++) { dw[i] = initialWeights[i]; mw[i] = Math.Abs(initialWeights[i]); }
        for (int f = 0; f < db.Length; f++) { db[f] = initialBiases[f]; mb[f] = Math.Abs(initialBiases[f]); }
        for (int s = 0; s < samples; s++)
        {
            for (int f = 0; f < shape.Filters; f++)
            {
                for (int p = 0; p < plane; p++)
                {
                    double g = outputGradient[s * outSize + f * plane + p];
                    db[f] += g;
                    mb[f] += Math.Abs(g);
                }
                for (int c = 0; c < shape.InChannels; c++)
                {
                    for (int u = 0; u < shape.KernelHeight; u++)
                    {
                        for (int v = 0; v < shape.KernelWidth; v++)
                        {
                            int wi = ((f * shape.InChannels + c) * shape.KernelHeight + u) * shape.KernelWidth + v;
                            for (int y = 0; y < shape.OutHeight; y++)
                            {
                                int iy = y * shape.StrideY + u * shape.DilationY - shape.PaddingY;
                                if ((uint)iy >= (uint)shape.InHeight) continue;
                                for (int ox = 0; ox < shape.OutWidth; ox++)
                                {
                                    int ix = ox * shape.StrideX + v * shape.DilationX - shape.PaddingX;
                                    if ((uint)ix >= (uint)shape.InWidth) continue;
                                    double t = (double)outputGradient[s * outSize + (f * shape.OutHeight + y) * shape.OutWidth + ox]
                                        * input[s * inSize + (c * shape.InHeight + iy) * shape.InWidth + ix];
                                    dw[wi] += t;
                                    mw[wi] += Math.Abs(t);
                                }
                            }
                        }
                    }
                }
            }
        }
        return (Pack(dw, mw, samples * plane + 1), Pack(db, mb, samples * plane + 1));
    }

    public static double[] MaxForward(in PoolShape shape, ReadOnlySpan<float> input, int samples)
    {
        int planes = samples * shape.Channels, inPlane = shape.InHeight * shape.InWidth, outPlane = shape.OutHeight * shape.OutWidth;
        var y = new double[planes * outPlane];
        for (int p = 0; p < planes; p++)
        {
            for (int oy = 0; oy < shape.OutHeight; oy++)
            {
                for (int ox = 0; ox < shape.OutWidth; ox++)
                {
                    y[p * outPlane + oy * shape.OutWidth + ox] = input[p * inPlane + ArgMax(shape, input.Slice(p * inPlane, inPlane), oy, ox)];
                }
            }
        }
        return y;
    }

    public static double[] MaxBackward(in PoolShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, int samples)
    {
        int planes = samples * shape.Channels, inPlane = shape.InHeight * shape.InWidth, outPlane = shape.OutHeight * shape.OutWidth;
        var dx = new double[planes * inPlane];
        for (int p = 0; p < planes; p++)
        {
            for (int oy = 0; oy < shape.OutHeight; oy++)
            {
                for (int ox = 0; ox < shape.OutWidth; ox++)
                {
                    dx[p * inPlane + ArgMax(shape, input.Slice(p * inPlane, inPlane), oy, ox)] += outputGradient[p * outPlane + oy * shape.OutWidth + ox];
                }
            }
        }
        return dx;
    }

    public static double[] AverageForward(in PoolShape shape, ReadOnlySpan<float> input, int samples)
    {
        int planes = samples * shape.Channels, inPlane = shape.InHeight * shape.InWidth, outPlane = shape.OutHeight * shape.OutWidth;
        int area = shape.WindowHeight * shape.WindowWidth;
        var y = new double[planes * outPlane];
        for (int p = 0; p < planes; p++)
        {
            for (int oy = 0; oy < shape.OutHeight; oy++)
            {
                for (int ox = 0; ox < shape.OutWidth; ox++)
                {
                    double sum = 0;
                    for (int u = 0; u < shape.WindowHeight; u++)
                    {
                        for (int v = 0; v < shape.WindowWidth; v++) sum += input[p * inPlane + (oy * shape.WindowHeight + u) * shape.InWidth + ox * shape.WindowWidth + v];
                    }
                    y[p * outPlane + oy * shape.OutWidth + ox] = sum / area;
                }
            }
        }
        return y;
    }

    public static double[] AverageBackward(in PoolShape shape, ReadOnlySpan<float> outputGradient, int samples)
    {
        int planes = samples * shape.Channels, inPlane = shape.InHeight * shape.InWidth, outPlane = shape.OutHeight * shape.OutWidth;
        int area = shape.WindowHeight * shape.WindowWidth;
        var dx = new double[planes * inPlane];
        for (int p = 0; p < planes; p++)
        {
            for (int oy = 0; oy < shape.OutHeight; oy++)
            {
                for (int ox = 0; ox < shape.OutWidth; ox++)
                {
                    double g = (double)outputGradient[p * outPlane + oy * shape.OutWidth + ox] / area;
                    for (int u = 0; u < shape.WindowHeight; u++)
                    {
                        for (int v = 0; v < shape.WindowWidth; v++) dx[p * inPlane + (oy * shape.WindowHeight + u) * shape.InWidth + ox * shape.WindowWidth + v] = g;
                    }
                }
            }
        }
        return dx;
    }

    /// <summary>The first maximum of a window in row-major order (a later equal value does not replace it).</summary>
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

    private static Value[] Pack(double[] sums, double[] magnitudes, int terms)
    {
        var values = new Value[sums.Length];
        for (int i = 0; i < sums.Length; i++) values[i] = new Value(sums[i], magnitudes[i], terms);
        return values;
    }
}
