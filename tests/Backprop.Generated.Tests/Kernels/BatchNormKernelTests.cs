using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests.Kernels;

/// <summary>
/// <see cref="BatchNormKernels.Inference"/>: the formula y = γ_c (x − mean_c) / √(var_c + ε) + β_c evaluated in double
/// precision agrees to float rounding, channel-major layout over samples × channels × positions, in place gives the same
/// bits as out of place, and short spans are refused with the lengths named.
/// </summary>
public class BatchNormKernelTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(6, 1, 3)]
    [InlineData(3, 4, 2)]
    [InlineData(16, 49, 5)]
    public void Inference_normalizes_each_channel_with_its_running_statistics(int channels, int positions, int samples)
    {
        var rng = new Random(channels * 1000 + positions * 10 + samples);
        float[] gamma = Values(rng, channels, 0.5f, 2f), beta = Values(rng, channels, -1f, 1f);
        float[] mean = Values(rng, channels, -1f, 1f), variance = Values(rng, channels, 0f, 3f);
        float[] x = Values(rng, samples * channels * positions, -4f, 4f);
        var y = new float[x.Length];
        BatchNormKernels.Inference(gamma, beta, mean, variance, 1e-5f, x, y, channels, positions, samples);
        for (int s = 0; s < samples; s++)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int q = 0; q < positions; q++)
                {
                    int e = (s * channels + c) * positions + q;
                    double expected = gamma[c] * (x[e] - (double)mean[c]) / Math.Sqrt(variance[c] + 1e-5) + beta[c];
                    Assert.True(Math.Abs(y[e] - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"sample {s}, channel {c}, position {q}: {y[e]} vs {expected}");
                }
            }
        }

        var inPlace = (float[])x.Clone();
        BatchNormKernels.Inference(gamma, beta, mean, variance, 1e-5f, inPlace, inPlace, channels, positions, samples);
        Assert.Equal(y.Select(BitConverter.SingleToInt32Bits), inPlace.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Inference_refuses_short_spans_naming_the_lengths()
    {
        float[] four = new float[4], eleven = new float[11];
        var e = Assert.Throws<ArgumentException>(() => BatchNormKernels.Inference(four, four, four, four, 1e-5f, eleven, new float[12], 2, 3, 2));
        Assert.Contains("needs 12 floats in and out; got 11 and 12", e.Message);
        e = Assert.Throws<ArgumentException>(() => BatchNormKernels.Inference(four, four, new float[3], four, 1e-5f, eleven, eleven, 4, 1, 1));
        Assert.Contains("needs 4 values of γ, β, mean and variance; got 4, 4, 3 and 4", e.Message);
    }

    private static float[] Values(Random rng, int n, float low, float high)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = low + (float)rng.NextDouble() * (high - low);
        return v;
    }
}
