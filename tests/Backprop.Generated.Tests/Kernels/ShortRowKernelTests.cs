using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Backprop.Generated.CompilerServices;
using static Backprop.Generated.Tests.Kernels.KernelTestData;

namespace Backprop.Generated.Tests.Kernels;

/// <summary>
/// <see cref="ShortRowKernels"/>: near the double-precision product, and bit for bit the scalar definition of its
/// summation order on every path this CPU has (Vector512 and Vector256 are both called directly where supported, so
/// one run on an AVX-512 machine checks all three; CI repeats the suite with AVX-512 off and with no SIMD).
/// </summary>
public class ShortRowKernelTests
{
    public static IEnumerable<object[]> Shapes()
    {
        foreach (int m in SmallSizes)
        {
            foreach (int n in new[] { 1, 7, 15, 16, 17, 32, 48, 63, 64, 65, 80, 128 })
            {
                yield return new object[] { m, n };
            }
        }
        yield return new object[] { 257, 64 };
        yield return new object[] { 10, 784 };
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Gemv_matches_double_precision_for_every_fused_activation(int m, int n)
    {
        Check<LinearActivation>(m, n, z => z);
        Check<ReLUActivation>(m, n, Relu);
        Check<LeakyReLUActivation>(m, n, LeakyRelu);

        static void Check<TAct>(int m, int n, Func<double, double> f) where TAct : struct, IFusedActivation
        {
            Span<float> w = Random(m * n, 1 + m * 1000 + n), b = Random(m, 2 + m), x = Random(n, 3 + n), y = Random(m, 4);
            ShortRowKernels.Gemv<TAct>(w, b, m, n, x, y);
            for (int o = 0; o < m; o++)
            {
                double z = b[o] + Dot(w, o, n, x);
                double magnitude = Math.Abs(b[o]);
                for (int i = 0; i < n; i++) magnitude += Math.Abs((double)w[o * n + i] * x[i]);
                Near(f(z), y[o], Bound(n + 1, magnitude, z), $"ShortRowKernels.Gemv<{typeof(TAct).Name}> {m}×{n}, row {o}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_path_gives_the_bits_of_the_scalar_definition(int m, int n)
    {
        for (int offset = 0; offset < 16; offset += 5)
        {
            Span<float> w = Random(m * n, 7 + m + n, offset), b = Random(m, 8, offset), x = Random(n, 9, offset);
            // values of both signs around zero, so ReLU and LeakyReLU see negative sums, and an exact zero row
            if (m > 2) w.Slice(2 * n, n).Clear();
            float[] expected = new float[m];
            ShortRowKernels.Reference<LeakyReLUActivation>(w, b, m, n, x, expected);

            float[] dispatched = new float[m];
            ShortRowKernels.Gemv<LeakyReLUActivation>(w, b, m, n, x, dispatched);
            Assert.Equal(expected, dispatched);

            if (n % 16 == 0 && Avx512F.IsSupported && Vector512.IsHardwareAccelerated)
            {
                float[] v512 = new float[m];
                ShortRowKernels.Rows<Width512, Vector512<float>, LeakyReLUActivation>(w, b, m, n, x, v512, 0);
                Assert.Equal(expected, v512);
            }
            if (n % 16 == 0 && Avx.IsSupported && Fma.IsSupported && Vector256.IsHardwareAccelerated)
            {
                float[] v256 = new float[m];
                ShortRowKernels.Rows<Width256, Vector256<float>, LeakyReLUActivation>(w, b, m, n, x, v256, 0);
                Assert.Equal(expected, v256);
            }
        }
    }

    [Fact]
    public void The_order_is_the_documented_tree_of_sixteen_lane_sums()
    {
        // one row of 16 chosen so that any other pairing rounds differently: lane l holds 2^(2l) scaled terms
        const int n = 16;
        float[] w = new float[n], x = new float[n], b = { 0f }, y = new float[1];
        for (int i = 0; i < n; i++)
        {
            w[i] = i % 2 == 0 ? 1f : -1f;
            x[i] = MathF.ScaleB(1f + i / 64f, 3 * (i % 5));
        }
        float[] l = new float[16];
        for (int i = 0; i < n; i++) l[i] = w[i] * x[i];
        float expected = (((l[0] + l[8]) + (l[4] + l[12])) + ((l[2] + l[10]) + (l[6] + l[14]))) + (((l[1] + l[9]) + (l[5] + l[13])) + ((l[3] + l[11]) + (l[7] + l[15])));
        ShortRowKernels.Gemv<LinearActivation>(w, b, 1, n, x, y);
        Assert.Equal(expected, y[0]);
        ShortRowKernels.Reference<LinearActivation>(w, b, 1, n, x, y);
        Assert.Equal(expected, y[0]);
    }
}
