using System;
using System.ComponentModel;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// Batch normalization in inference, with the running statistics: the one writing of that formula that every generated
/// path calls (one sample and k samples, Dense and convolutional networks, float32 and int8 classes, <c>Inspect</c>).
/// Used by generated code; versioned with the generator (one package).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class BatchNormKernels
{
    /// <summary>
    /// <c>y[s, c, q] = γ_c · (x[s, c, q] − mean_c) / √(var_c + ε) + β_c</c> for <paramref name="samples"/> samples of
    /// <paramref name="channels"/> × <paramref name="positions"/> values each, channel-major (features: one position).
    /// Each value as written, in float32 and in that order of operations (no fused multiply-add), so every SIMD path and
    /// every caller gives the same bits. <paramref name="y"/> may be <paramref name="x"/> (in place).
    /// </summary>
    public static void Inference(
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, float epsilon,
        ReadOnlySpan<float> x, Span<float> y, int channels, int positions, int samples)
    {
        int n = channels * positions;
        if (gamma.Length < channels || beta.Length < channels || mean.Length < channels || variance.Length < channels)
        {
            throw new ArgumentException($"Batch norm over {channels} channels needs {channels} values of γ, β, mean and variance; got {gamma.Length}, {beta.Length}, {mean.Length} and {variance.Length}.");
        }
        if (x.Length < samples * n || y.Length < samples * n)
        {
            throw new ArgumentException($"Batch norm of {samples} samples of {channels} × {positions} values needs {samples * n} floats in and out; got {x.Length} and {y.Length}.");
        }
        for (int s = 0; s < samples; s++)
        {
            for (int c = 0; c < channels; c++)
            {
                float g = gamma[c], m = mean[c], b = beta[c], root = MathF.Sqrt(variance[c] + epsilon);
                int start = s * n + c * positions;
                for (int e = start; e < start + positions; e++)
                {
                    y[e] = g * (x[e] - m) / root + b;
                }
            }
        }
    }
}
