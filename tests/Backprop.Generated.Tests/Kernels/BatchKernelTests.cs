using Backprop.Generated.CompilerServices;
using static Backprop.Generated.Tests.Kernels.KernelTestData;

namespace Backprop.Generated.Tests.Kernels;

/// <summary>
/// The mini-batch kernels of the runtime against double-precision references: chunks of 32 samples, feature-major,
/// every output count from 1 to 67 and past 256, inputs of many sizes (as constant-size types, the way generated
/// code calls them), partial chunks. Generated code calls them only where <see cref="BatchKernels.IsAccelerated"/>;
/// without SIMD hardware (CI's no-SIMD run) they still run here, on Vector256 in software, and must agree as well.
/// </summary>
public class BatchKernelTests
{
    private const int C = BatchKernels.Chunk;

    private readonly struct S1 : IConstantSize { public static int Value => 1; }
    private readonly struct S3 : IConstantSize { public static int Value => 3; }
    private readonly struct S8 : IConstantSize { public static int Value => 8; }
    private readonly struct S17 : IConstantSize { public static int Value => 17; }
    private readonly struct S32 : IConstantSize { public static int Value => 32; }
    private readonly struct S67 : IConstantSize { public static int Value => 67; }
    private readonly struct S257 : IConstantSize { public static int Value => 257; }
    private readonly struct S784 : IConstantSize { public static int Value => 784; }

    public static IEnumerable<object[]> OutputCounts() =>
        SmallSizes.Concat(new[] { 255, 256, 257, 300 }).Select(m => new object[] { m });

    [Theory]
    [MemberData(nameof(OutputCounts))]
    public void ForwardChunk_matches_double_precision(int m)
    {
        CheckForward<S1>(m);
        CheckForward<S3>(m);
        CheckForward<S17>(m);
        CheckForward<S67>(m);
        if (m % 16 == 1)
        {
            CheckForward<S8>(m);
            CheckForward<S32>(m);
            CheckForward<S257>(m);
            CheckForward<S784>(m);
        }
    }

    private static void CheckForward<TN>(int m) where TN : struct, IConstantSize
    {
        int n = TN.Value;
        Span<float> w = Random(m * n, m + 7 * n), b = Random(m, 2), x = Random(n * C, 3 + n);
        Span<float> linear = Random(m * C, 4), relu = Random(m * C, 5), leaky = Random(m * C, 6);
        BatchKernels.ForwardChunk<TN, LinearActivation>(w, b, m, x, linear);
        BatchKernels.ForwardChunk<TN, ReLUActivation>(w, b, m, x, relu);
        BatchKernels.ForwardChunk<TN, LeakyReLUActivation>(w, b, m, x, leaky);
        for (int o = 0; o < m; o++)
        {
            for (int s = 0; s < C; s++)
            {
                double z = b[o], magnitude = Math.Abs(b[o]);
                for (int i = 0; i < n; i++)
                {
                    z += (double)w[o * n + i] * x[i * C + s];
                    magnitude += Math.Abs((double)w[o * n + i] * x[i * C + s]);
                }
                double bound = Bound(n + 1, magnitude, z);
                string at = $"ForwardChunk {m}×{n}, row {o}, sample {s}";
                Near(z, linear[o * C + s], bound, at);
                Near(Relu(z), relu[o * C + s], bound, at + " (ReLU)");
                Near(LeakyRelu(z), leaky[o * C + s], bound, at + " (LeakyReLU)");
            }
        }
    }

    public static IEnumerable<object[]> Derivatives() => new[]
    {
        new object[] { "Linear" }, new object[] { "ReLU" }, new object[] { "LeakyReLU" }, new object[] { "Tanh" }, new object[] { "Sigmoid" },
    };

    [Theory]
    [MemberData(nameof(Derivatives))]
    public void InputGradientChunk_matches_double_precision_through_each_derivative(string activation)
    {
        foreach ((int m, int n) in new[] { (1, 1), (10, 32), (3, 67), (67, 5), (32, 64), (12, 13), (24, 48), (257, 30), (10, 256), (40, 300) })
        {
            switch (activation)
            {
                case "Linear": CheckInputGradient<LinearActivation>(m, n, (g, a) => g); break;
                case "ReLU": CheckInputGradient<ReLUActivation>(m, n, (g, a) => a > 0 ? g : 0); break;
                case "LeakyReLU": CheckInputGradient<LeakyReLUActivation>(m, n, (g, a) => a > 0 ? g : LeakyReLUActivation.Slope * g); break;
                case "Tanh": CheckInputGradient<TanhActivation>(m, n, (g, a) => g * (1 - (double)a * a)); break;
                case "Sigmoid": CheckInputGradient<SigmoidActivation>(m, n, (g, a) => g * a * (1 - (double)a)); break;
                default: throw new ArgumentOutOfRangeException(nameof(activation));
            }
        }
    }

    private static void CheckInputGradient<TD>(int m, int n, Func<double, float, double> chain) where TD : struct, IActivationDerivative
    {
        Span<float> w = Random(m * n, m + n), dz = Random(m * C, 8), a = Random(n * C, 9), dx = Random(n * C, 10);
        if (typeof(TD) == typeof(SigmoidActivation))
        {
            for (int j = 0; j < a.Length; j++) a[j] = 0.5f + 0.5f * a[j]; // outputs of a sigmoid lie in (0, 1)
        }
        BatchKernels.InputGradientChunk<TD>(w, m, n, dz, a, dx);
        for (int i = 0; i < n; i++)
        {
            for (int s = 0; s < C; s++)
            {
                double g = 0, magnitude = 0;
                for (int o = 0; o < m; o++)
                {
                    g += (double)w[o * n + i] * dz[o * C + s];
                    magnitude += Math.Abs((double)w[o * n + i] * dz[o * C + s]);
                }
                float av = a[i * C + s];
                double expected = chain(g, av);
                // the factor f'(a) ≤ 1 in magnitude multiplies the sum's error; two more roundings for the product
                Near(expected, dx[i * C + s], Bound(m + 2, magnitude, expected), $"InputGradientChunk<{typeof(TD).Name}> {m}×{n}, input {i}, sample {s}");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(31)]
    [InlineData(32)]
    public void WeightGradientChunk_adds_the_sums_over_the_chunks_samples(int ns)
    {
        foreach ((int m, int n) in new[] { (1, 1), (10, 32), (3, 67), (67, 5), (32, 64), (13, 17), (128, 784), (5, 300) })
        {
            Span<float> dz = Random(m * C, m), x = Random(ns * n, n), gw = Random(m * n, 1), gb = Random(m, 2);
            for (int o = 0; o < m; o++)
            {
                for (int s = ns; s < C; s++) dz[o * C + s] = 0f; // the generated code clears the columns past ns
            }
            float[] gw0 = gw.ToArray(), gb0 = gb.ToArray();
            BatchKernels.WeightGradientChunk(dz, m, n, x, ns, gw, gb);
            for (int o = 0; o < m; o++)
            {
                double bias = gb0[o], biasMagnitude = Math.Abs(gb0[o]);
                for (int s = 0; s < ns; s++)
                {
                    bias += dz[o * C + s];
                    biasMagnitude += Math.Abs(dz[o * C + s]);
                }
                Near(bias, gb[o], Bound(ns + 1, biasMagnitude, bias), $"gb[{o}] of {m}×{n}, {ns} samples");
                for (int i = 0; i < n; i++)
                {
                    double e = gw0[o * n + i], magnitude = Math.Abs(gw0[o * n + i]);
                    for (int s = 0; s < ns; s++)
                    {
                        e += (double)dz[o * C + s] * x[s * n + i];
                        magnitude += Math.Abs((double)dz[o * C + s] * x[s * n + i]);
                    }
                    Near(e, gw[o * n + i], Bound(ns + 1, magnitude, e), $"gW[{o}, {i}] of {m}×{n}, {ns} samples");
                }
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 7)]
    [InlineData(8, 8)]
    [InlineData(64, 32)]
    [InlineData(67, 31)]
    [InlineData(784, 17)]
    [InlineData(3, 32)]
    [InlineData(8, 32)]
    [InlineData(13, 9)]
    [InlineData(67, 32)]
    [InlineData(784, 32)]
    public void The_transposes_are_exact_and_clear_the_columns_past_the_samples(int n, int ns)
    {
        Span<float> samples = Random(ns * n, n + ns, 1);
        Span<float> featureMajor = Random(n * C, 3, 2); // garbage that must go
        BatchKernels.ToFeatureMajor(samples, n, ns, featureMajor);
        for (int f = 0; f < n; f++)
        {
            for (int s = 0; s < C; s++)
            {
                Assert.Equal(s < ns ? samples[s * n + f] : 0f, featureMajor[f * C + s]);
            }
        }
        Span<float> back = new float[ns * n];
        BatchKernels.ToSampleMajor(featureMajor, n, ns, back);
        Assert.Equal(samples.ToArray(), back.ToArray());
    }

    [Fact]
    public void Add_adds_element_by_element()
    {
        foreach (int n in new[] { 1, 15, 16, 17, 100, 2410 })
        {
            Span<float> y = Random(n, 1, 3), x = Random(n, 2, 0);
            float[] expected = new float[n];
            for (int i = 0; i < n; i++) expected[i] = y[i] + x[i];
            BatchKernels.Add(y, x);
            Assert.Equal(expected, y.ToArray());
        }
    }

    public static IEnumerable<object[]> SoftmaxSizes() =>
        Enumerable.Range(1, 13).Concat(new[] { 16, 31, 64, 67 }).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(SoftmaxSizes))]
    public void SoftmaxChunk_gives_each_column_the_bits_of_Softmax_Apply(int n)
    {
        // logits of every scale, and columns with exact ties, ±0, overflowing and underflowing exponentials, ±∞ and NaN
        float[] z = Random(n * C, n).ToArray();
        for (int i = 0; i < z.Length; i++) z[i] *= 40f;
        for (int j = 0; j < n; j++)
        {
            z[j * C + 1] = 0.5f; // all tied
            z[j * C + 2] = j % 2 == 0 ? 0f : -0f;
            z[j * C + 3] = j == n - 1 ? 95f : -95f;
            z[j * C + 4] = j * 1e-3f;
        }
        z[5] = float.PositiveInfinity;
        z[(n - 1) * C + 6] = float.NegativeInfinity;
        z[(n / 2) * C + 7] = float.NaN;
        float[] chunk = (float[])z.Clone();
        BatchKernels.SoftmaxChunk(chunk, n);
        float[] column = new float[n];
        for (int s = 0; s < C; s++)
        {
            for (int j = 0; j < n; j++) column[j] = z[j * C + s];
            Softmax.Apply(column, column);
            for (int j = 0; j < n; j++)
            {
                float got = chunk[j * C + s];
                if (float.IsNaN(column[j])) Assert.True(float.IsNaN(got), $"column {s}, output {j} of {n}: expected NaN, got {got}");
                else Assert.True(BitConverter.SingleToInt32Bits(column[j]) == BitConverter.SingleToInt32Bits(got), $"column {s}, output {j} of {n}: expected {column[j]:R}, got {got:R}");
            }
        }
    }

    [Fact]
    public void SoftmaxChunk_refuses_a_short_block()
    {
        var e = Assert.Throws<ArgumentException>(() => BatchKernels.SoftmaxChunk(new float[10 * C - 1], 10));
        Assert.Contains("n × 32", e.Message);
        Assert.Throws<ArgumentException>(() => BatchKernels.SoftmaxChunk(new float[C], 0));
    }
}
