using System.Runtime.Intrinsics;
using Backprop.Generated.CompilerServices;
using static Backprop.Generated.Tests.Kernels.KernelTestData;

namespace Backprop.Generated.Tests.Kernels;

/// <summary>
/// The one-sample Dense kernels of the runtime against double-precision references, on every shape from 1 × 1 to
/// 67 × 67 and on rows and columns past 256 (the long-row path of Gemv). Which SIMD width runs depends on the CPU:
/// CI runs these tests with Vector512, again with AVX-512 off (Vector256) and with no SIMD (scalar loops).
/// </summary>
public class DenseKernelTests
{
    public static IEnumerable<object[]> Shapes()
    {
        foreach (int m in SmallSizes)
        {
            foreach (int n in new[] { 1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64, 65, 67 })
            {
                yield return new object[] { m, n };
            }
        }
        foreach (int m in new[] { 1, 10, 31, 32, 33, 128, 257 })
        {
            foreach (int n in LargeSizes)
            {
                yield return new object[] { m, n };
            }
        }
        foreach (int m in LargeSizes)
        {
            yield return new object[] { m, 64 };
        }
    }

    private static void CheckGemv<TAct>(int m, int n, Func<double, double> f, int offset)
        where TAct : struct, IFusedActivation
    {
        Span<float> w = Random(m * n, 1 + m * 1000 + n, offset);
        Span<float> b = Random(m, 2 + m, offset);
        Span<float> x = Random(n, 3 + n, offset);
        Span<float> y = Random(m, 4, offset); // overwritten
        DenseKernels.Gemv<TAct>(w, b, m, n, x, y);
        for (int o = 0; o < m; o++)
        {
            double z = b[o] + Dot(w, o, n, x);
            double magnitude = Math.Abs(b[o]);
            for (int i = 0; i < n; i++) magnitude += Math.Abs((double)w[o * n + i] * x[i]);
            Near(f(z), y[o], Bound(n + 1, magnitude, z), $"Gemv<{typeof(TAct).Name}> {m}×{n}, row {o}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Gemv_matches_double_precision_for_every_fused_activation(int m, int n)
    {
        CheckGemv<LinearActivation>(m, n, z => z, 0);
        CheckGemv<ReLUActivation>(m, n, Relu, 0);
        CheckGemv<LeakyReLUActivation>(m, n, LeakyRelu, 0);
    }

    [Theory]
    [InlineData(37, 64)]
    [InlineData(64, 300)]
    [InlineData(40, 784)]
    [InlineData(13, 17)]
    public void Gemv_gives_the_same_bits_on_misaligned_spans_and_run_to_run(int m, int n)
    {
        float[] reference = Gemv(m, n, offset: 0);
        for (int offset = 1; offset < 16; offset += 3)
        {
            Assert.Equal(reference, Gemv(m, n, offset));
        }
        Assert.Equal(reference, Gemv(m, n, offset: 0));

        static float[] Gemv(int m, int n, int offset)
        {
            Span<float> w = Random(m * n, 5, offset), b = Random(m, 6, offset), x = Random(n, 7, offset), y = Random(m, 8, offset);
            DenseKernels.Gemv<ReLUActivation>(w, b, m, n, x, y);
            return y.ToArray();
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BackwardRows_adds_the_weight_gradient_and_writes_the_input_gradient(int m, int n)
    {
        Span<float> w = Random(m * n, 11 + m, 0), dz = Random(m, 12 + n, 0), x = Random(n, 13, 0);
        Span<float> g = Random(m * n, 14, 0), dx = Random(n, 15, 0);
        float[] g0 = g.ToArray();
        DenseKernels.BackwardRows(w, g, dz, m, n, x, dx);
        for (int o = 0; o < m; o++)
        {
            for (int i = 0; i < n; i++)
            {
                double expected = g0[o * n + i] + (double)dz[o] * x[i];
                Near(expected, g[o * n + i], Bound(1, Math.Abs(g0[o * n + i]) + Math.Abs((double)dz[o] * x[i]), expected), $"gW[{o}, {i}] of {m}×{n}");
            }
        }
        for (int i = 0; i < n; i++)
        {
            double expected = 0, magnitude = 0;
            for (int o = 0; o < m; o++)
            {
                expected += (double)w[o * n + i] * dz[o];
                magnitude += Math.Abs((double)w[o * n + i] * dz[o]);
            }
            Near(expected, dx[i], Bound(m, magnitude, expected), $"dx[{i}] of {m}×{n}");
        }

        // an empty dx: the weight gradient only, the same bits
        Span<float> g2 = g0.ToArray();
        DenseKernels.BackwardRows(w, g2, dz, m, n, x, default);
        Assert.Equal(Bits(g), Bits(g2));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BackwardRowsSgd_leaves_the_bits_of_BackwardRows_then_an_SGD_step(int m, int n)
    {
        const float rate = 0.37f;
        Span<float> w = Random(m * n, 21 + m, 0), dz = Random(m, 22 + n, 0), x = Random(n, 23, 0);

        // unfused: the gradient into zeros, its input gradient, then w -= rate · g as Sgd.Step does
        float[] unfused = w.ToArray();
        float[] g = new float[m * n], dxUnfused = new float[n];
        DenseKernels.BackwardRows(unfused, g, dz, m, n, x, dxUnfused);
        Sgd.Step(unfused, g, rate);

        float[] dxFused = new float[n];
        DenseKernels.BackwardRowsSgd(w, dz, m, n, x, dxFused, rate);
        Assert.Equal(Bits(unfused), Bits(w));
        Assert.Equal(Bits(dxUnfused), Bits(dxFused));
    }


    [Fact]
    public void Short_spans_and_negative_sizes_are_named_before_anything_is_read()
    {
        float[] w = new float[4 * 8], b = new float[4], x = new float[8], y = new float[4], dz = new float[4], dx = new float[8];
        void Named(string name, Action call) => Assert.Equal(name, Assert.Throws<ArgumentException>(call).ParamName);

        Named("weights", () => DenseKernels.Gemv<LinearActivation>(w.AsSpan(1), b, 4, 8, x, y));
        Named("x", () => DenseKernels.Gemv<LinearActivation>(w, b, 4, 8, x.AsSpan(1), y));
        Named("bias", () => DenseKernels.Gemv<LinearActivation>(w, b.AsSpan(1), 4, 8, x, y));
        Named("y", () => DenseKernels.Gemv<LinearActivation>(w, b, 4, 8, x, y.AsSpan(1)));
        Named("weights", () => DenseKernels.Gemv<LinearActivation>(w, b, -1, 8, x, y));

        Named("gradW", () => DenseKernels.BackwardRows(w, new float[31], dz, 4, 8, x, dx));
        Named("dz", () => DenseKernels.BackwardRows(w, new float[32], dz.AsSpan(1), 4, 8, x, dx));
        Named("dx", () => DenseKernels.BackwardRows(w, new float[32], dz, 4, 8, x, dx.AsSpan(1)));
        Named("x", () => DenseKernels.BackwardRows(w, new float[32], dz, 4, 8, x.AsSpan(1), default));

        foreach (float[] input in new[] { dx, Array.Empty<float>() })
        {
            Named("weights", () => DenseKernels.BackwardRowsSgd(w.AsSpan(1), dz, 4, 8, x, input, 0.1f));
            Named("x", () => DenseKernels.BackwardRowsSgd(w, dz, 4, 8, x.AsSpan(1), input, 0.1f));
            Named("dz", () => DenseKernels.BackwardRowsSgd(w, dz.AsSpan(1), 4, 8, x, input, 0.1f));
        }
        Named("dx", () => DenseKernels.BackwardRowsSgd(w, dz, 4, 8, x, dx.AsSpan(1), 0.1f));
        Named("weights", () => DenseKernels.BackwardRowsSgd(w, dz, 4, -8, x, default, 0.1f));
        Assert.All(w, v => Assert.Equal(0f, v)); // nothing was written
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(33)]
    [InlineData(784)]
    public void Dot_and_AddScaled_match_double_precision(int n)
    {
        Span<float> a = Random(n, 31, 3), b = Random(n, 32, 5);
        double expected = 0, magnitude = 0;
        for (int i = 0; i < n; i++)
        {
            expected += (double)a[i] * b[i];
            magnitude += Math.Abs((double)a[i] * b[i]);
        }
        Near(expected, DenseKernels.Dot(a, b), Bound(n, magnitude, expected), $"Dot of {n}");

        float[] y0 = b.ToArray();
        DenseKernels.AddScaled(b, -0.5f, a);
        for (int i = 0; i < n; i++)
        {
            double e = y0[i] - 0.5 * a[i];
            Near(e, b[i], Bound(1, Math.Abs(y0[i]) + Math.Abs(0.5 * a[i]), e), $"AddScaled[{i}] of {n}");
        }
    }

    [Fact]
    public void The_fused_activations_agree_between_scalar_and_vector_forms()
    {
        float[] values = { -3f, -1e-30f, -0f, 0f, 1e-30f, 0.5f, 7f, float.NegativeInfinity, float.PositiveInfinity };
        foreach (float v in values)
        {
            Assert.Equal(ReLUActivation.Apply(v), ReLUActivation.Apply(Vector128.Create(v)).GetElement(0));
            Assert.Equal(ReLUActivation.Apply(v), ReLUActivation.Apply(Vector256.Create(v)).GetElement(3));
            Assert.Equal(ReLUActivation.Apply(v), ReLUActivation.Apply(Vector512.Create(v)).GetElement(9));
            Assert.Equal(LeakyReLUActivation.Apply(v), LeakyReLUActivation.Apply(Vector128.Create(v)).GetElement(1));
            Assert.Equal(LeakyReLUActivation.Apply(v), LeakyReLUActivation.Apply(Vector256.Create(v)).GetElement(5));
            Assert.Equal(LeakyReLUActivation.Apply(v), LeakyReLUActivation.Apply(Vector512.Create(v)).GetElement(15));
            Assert.Equal(v, LinearActivation.Apply(v));
        }
        Assert.Equal(0.01f, LeakyReLUActivation.Slope);
        Assert.Equal(-0.03f, LeakyReLUActivation.Apply(-3f));
    }

    [Fact]
    public void NetworkGuard_names_the_span_and_both_lengths()
    {
        Assert.Equal(3, NetworkGuard.SampleCount(6, 2, 12, 4, "inputs", "outputs"));

        var many = Assert.Throws<ArgumentException>(() => NetworkGuard.SampleCount(9, 3, 6, 4, "inputs", "outputs"));
        Assert.StartsWith("outputs.Length must be 12 (3 samples of 4 floats, as in inputs), but is 6.", many.Message);
        Assert.Equal("outputs", many.ParamName);

        var one = Assert.Throws<ArgumentException>(() => NetworkGuard.SampleCount(2, 2, 3, 4, "inputs", "targets"));
        Assert.StartsWith("targets.Length must be 4 (1 sample of 4 floats, as in inputs), but is 3.", one.Message);

        var first = Assert.Throws<ArgumentException>(() => NetworkGuard.SampleCount(5, 2, 4, 4, "inputs", "outputs"));
        Assert.StartsWith("inputs.Length must be a positive multiple of 2 (one sample is 2 floats), but is 5.", first.Message);
        Assert.Equal("inputs", first.ParamName);
        Assert.Throws<ArgumentException>(() => NetworkGuard.SampleCount(0, 2, 0, 4, "inputs", "outputs"));
    }
}
