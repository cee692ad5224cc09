using System.Runtime.Intrinsics;
using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests.Kernels;

/// <summary>
/// The runtime's softmax and the losses taken at the logits (<see cref="Softmax"/>, <see cref="LossKernels"/>): against
/// double precision, in place equal to out of place, and the documented order of operations bit for bit (the CI runs
/// these tests on Vector512, Vector256 and without SIMD hardware, so the same bits on every path).
/// </summary>
public class SoftmaxTests
{
    private static float[] Logits(int n, int seed, float scale)
    {
        var random = new Random(seed);
        var z = new float[n];
        for (int j = 0; j < n; j++) z[j] = (float)((random.NextDouble() * 2 - 1) * scale);
        return z;
    }

    private static double[] Reference(float[] z, out double logSumExp)
    {
        double m = z.Max();
        double sum = z.Sum(v => Math.Exp(v - m));
        logSumExp = m + Math.Log(sum);
        return z.Select(v => Math.Exp(v - m) / sum).ToArray();
    }

    public static IEnumerable<object[]> Lengths() =>
        Enumerable.Range(1, 67).Concat(new[] { 100, 255, 256, 257, 1000 }).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Softmax_is_within_a_few_ulp_of_double_precision_and_returns_the_log_sum_exp(int n)
    {
        foreach (float scale in new[] { 0.01f, 1f, 30f, 100f })
        {
            float[] z = Logits(n, n * 7 + (int)scale, scale);
            var a = new float[n];
            float lse = Softmax.ApplyLogSumExp(z, a);
            double[] expected = Reference(z, out double lseExpected);
            for (int j = 0; j < n; j++)
            {
                // z − m rounded to float (half an ulp of |z − m|, which e^ turns into that relative error), e^ within
                // 1 ulp, a sum over n terms and one division: a few 1e-7 relative plus |z − m| · 2^−24
                double tolerance = 1e-6 + Math.Abs(z[j] - z.Max()) * 6e-8;
                Assert.True(Math.Abs(a[j] - expected[j]) <= tolerance * expected[j] + 1e-38,
                    $"n={n}, scale={scale}, j={j}: {a[j]} vs {expected[j]}");
            }
            Assert.True(Math.Abs(lse - lseExpected) <= 1e-6 * Math.Max(1, Math.Abs(lseExpected)), $"n={n}: lse {lse} vs {lseExpected}");
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void In_place_gives_the_same_bits_as_out_of_place_and_Apply_as_ApplyLogSumExp(int n)
    {
        float[] z = Logits(n, n, 5f);
        var a = new float[n];
        Softmax.ApplyLogSumExp(z, a);
        var b = new float[n];
        Softmax.Apply(z, b);
        float[] same = (float[])z.Clone();
        Softmax.Apply(same, same);
        Assert.Equal(a, b);
        Assert.Equal(a, same);
        // and from an offset that is not 16-byte aligned
        var shifted = new float[n + 3];
        z.CopyTo(shifted, 3);
        Softmax.Apply(shifted.AsSpan(3), shifted.AsSpan(3));
        Assert.Equal(a, shifted.Skip(3).ToArray());
    }

    /// <summary>
    /// The documented computation, bit for bit: e_j = VectorMath.Exp(z_j − m) (itself the same bits with or without
    /// SIMD), four lane sums over the groups of four in order with the last group zero-padded, then (s₀ + s₁) + (s₂ + s₃),
    /// then a_j = e_j / Σ. The CI runs this on Vector512, Vector256 and the scalar fallback: the same bits on every path.
    /// </summary>
    [Theory]
    [MemberData(nameof(Lengths))]
    public void The_outputs_are_the_documented_order_bit_for_bit(int n)
    {
        foreach (float scale in new[] { 0.5f, 10f, 90f })
        {
            float[] z = Logits(n, n * 31 + (int)scale, scale);
            var a = new float[n];
            float lse = Softmax.ApplyLogSumExp(z, a);

            float m = z.Max();
            float[] e = z.Select(v => VectorMath.Exp(Vector128.Create(v - m)).ToScalar()).ToArray();
            var lanes = new float[4];
            for (int j = 0; j < n; j++) lanes[j % 4] += e[j];
            float sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
            Assert.Equal(e.Select(v => v / sum).ToArray(), a);
            Assert.Equal(m + MathF.Log(sum), lse);

            // the cross-entropy's two sums in the same order, its gradient element by element
            float[] t = Enumerable.Range(0, n).Select(j => (j % 3) * 0.25f).ToArray();
            var dz = new float[n];
            float loss = LossKernels.CrossEntropyAtLogits(z, a, lse, t, dz, 0.5f);
            var terms = new float[4];
            var targets = new float[4];
            for (int j = 0; j < n; j++)
            {
                terms[j % 4] += t[j] * (z[j] - lse);
                targets[j % 4] += t[j];
            }
            float tsum = (targets[0] + targets[1]) + (targets[2] + targets[3]);
            Assert.Equal(-((terms[0] + terms[1]) + (terms[2] + terms[3])), loss);
            Assert.Equal(Enumerable.Range(0, n).Select(j => (a[j] * tsum - t[j]) * 0.5f).ToArray(), dz);
        }
    }

    [Fact]
    public void Extreme_logits_give_a_finite_distribution_and_NaN_spreads_to_every_output()
    {
        var a = new float[5];
        Softmax.Apply(new[] { 1000f, -1000f, 0f, 999f, float.MinValue }, a);
        Assert.All(a, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(1f / (1f + MathF.Exp(-1f)), a[0], 6);
        Assert.Equal(0f, a[1]);

        Softmax.Apply(new[] { 1f, float.NaN, 2f, 3f, 4f }, a);
        Assert.All(a, v => Assert.True(float.IsNaN(v)));
        Softmax.Apply(new[] { 1f, 2f, 3f, 4f, float.NaN }, a);
        Assert.All(a, v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void Bad_lengths_are_refused_with_the_lengths_named()
    {
        var e = Assert.Throws<ArgumentException>(() => Softmax.Apply(new float[5], new float[4]));
        Assert.Contains("(5)", e.Message);
        Assert.Contains("4", e.Message);
        Assert.Throws<ArgumentException>(() => Softmax.Apply(Array.Empty<float>(), Array.Empty<float>()));
        var l = Assert.Throws<ArgumentException>(() => LossKernels.CrossEntropyAtLogits(new float[3], new float[3], 0f, new float[2], new float[3], 1f));
        Assert.Contains("3, 2 and 3", l.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(37)]
    public void Cross_entropy_at_the_logits_matches_double_precision(int n)
    {
        float[] z = Logits(n, n + 100, 8f);
        var random = new Random(n);
        float[] t = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray(); // soft targets, Σt ≠ 1
        var dz = new float[n];
        float loss = LossKernels.CrossEntropyWithLogits(z, t, dz, 0.5f);
        double[] p = Reference(z, out double lse);
        double tsum = t.Sum(v => (double)v);
        double expected = -Enumerable.Range(0, n).Sum(j => t[j] * (z[j] - lse));
        Assert.True(Math.Abs(loss - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"{loss} vs {expected}");
        for (int j = 0; j < n; j++)
        {
            double g = (p[j] * tsum - t[j]) * 0.5;
            Assert.True(Math.Abs(dz[j] - g) <= 1e-6 * Math.Max(1, tsum), $"j={j}: {dz[j]} vs {g}");
        }
    }

    [Theory]
    [InlineData(0f, 1f)]
    [InlineData(3f, 0f)]
    [InlineData(-3f, 0.25f)]
    [InlineData(100f, 0f)]
    [InlineData(-100f, 1f)]
    [InlineData(20f, 1f)]
    public void Binary_cross_entropy_with_logits_matches_double_precision(float z, float t)
    {
        double sigma = 1 / (1 + Math.Exp(-(double)z));
        // −(t log σ + (1 − t) log(1 − σ)) in the stable form, in double
        double expected = Math.Max(z, 0) - (double)z * t + Math.Log(1 + Math.Exp(-Math.Abs((double)z)));
        float loss = LossKernels.BinaryCrossEntropyWithLogits(z, t);
        Assert.True(Math.Abs(loss - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"{loss} vs {expected}");
        Assert.Equal((float)((sigma - t) * 2), LossKernels.BinaryCrossEntropyGradient((float)sigma, t, 2f), 6);
    }
}
