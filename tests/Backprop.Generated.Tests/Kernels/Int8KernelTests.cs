using System.Runtime.Intrinsics;
using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests.Kernels;

/// <summary>
/// The int8 quantization rule and kernels. Which SIMD path runs depends on the CPU: CI runs these tests with AVX-512,
/// again with AVX-512 off (Avx2) and with no SIMD (scalar loops); every expectation here is exact, so all three paths
/// must give the same integers and bits.
/// </summary>
public class Int8KernelTests
{
    [Fact]
    public void An_all_zero_row_has_scale_zero_and_quantizes_to_zeros()
    {
        var q = new sbyte[4];
        var s = new float[1];
        Int8Quantization.QuantizeRows(new float[4], 1, 4, q, s);
        Assert.Equal(0f, s[0]);
        Assert.All(q, v => Assert.Equal(0, v));
    }

    [Fact]
    public void A_row_of_one_extreme_value_maps_it_to_127_and_the_rest_to_zero()
    {
        var q = new sbyte[5];
        var s = new float[1];
        Int8Quantization.QuantizeRows(new[] { 0f, 1e-9f, -5f, 0f, 0.01f }, 1, 5, q, s);
        Assert.Equal(5f / 127f, s[0]);
        Assert.Equal(new sbyte[] { 0, 0, -127, 0, 0 }, q);
    }

    [Fact]
    public void Ties_round_to_even_and_scales_are_per_row()
    {
        // Row 0 has max |w| = 127, so its scale is exactly 1 and w / scale = w.
        float[] w = { 127f, 2.5f, 3.5f, -2.5f, -0.5f, 126.5f, 0.5f, 1.5f, -8f, 4f, 2f, 1f, 0f, 0f, 0f, 0f };
        var q = new sbyte[16];
        var s = new float[2];
        Int8Quantization.QuantizeRows(w, 2, 8, q, s);
        Assert.Equal(new[] { 1f, 8f / 127f }, s);
        Assert.Equal(new sbyte[] { 127, 2, 4, -2, 0, 126, 0, 2 }, q[..8]);
        Assert.Equal(-127, q[8]);
        Assert.Equal(Int8Quantization.Quantize(4f, 127f / 8f), q[9]);
        Assert.Equal(64, q[9]); // 63.5 → 64 (even)
    }

    public static IEnumerable<object[]> Lengths() => new[] { 1, 3, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 784 }.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Lengths))]
    public void QuantizeInput_gives_the_rules_bytes_on_every_path(int n)
    {
        var random = new Random(n);
        for (int trial = 0; trial < 20; trial++)
        {
            bool signed = trial % 2 == 0;
            var x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float)(signed ? random.NextDouble() * 6 - 3 : random.NextDouble() * 3);
            if (trial % 5 == 4)
            {
                // exact ties: max |x| = 127 makes the scale 1
                for (int i = 0; i < n; i++) x[i] = (i % 7) + 0.5f - (signed ? 3 : 0);
                x[n / 2] = 127f;
            }
            var positive = new byte[n];
            var negative = new byte[n];
            float scale = Int8Kernels.QuantizeInput(x, positive, negative, out bool hasNegative);
            Assert.Equal(Int8Quantization.InputScale(Int8Quantization.MaxAbs(x)), scale);
            Assert.Equal(x.Any(v => v < 0), hasNegative);
            for (int i = 0; i < n; i++)
            {
                int q = Int8Quantization.Quantize(x[i], Int8Quantization.InputInverseScale(Int8Quantization.MaxAbs(x)));
                Assert.Equal(Math.Max(q, 0), positive[i]);
                if (hasNegative) Assert.Equal(Math.Max(-q, 0), negative[i]);
            }
        }
        var zeros = new byte[n];
        Array.Fill(zeros, (byte)9);
        Assert.Equal(0f, Int8Kernels.QuantizeInput(new float[n], zeros, new byte[n], out bool none));
        Assert.False(none);
        Assert.All(zeros, b => Assert.Equal(0, b));
    }

    /// <summary>Maxima on both sides of <see cref="Int8Quantization.SmallestMaxAbs"/> and <see cref="Int8Quantization.SmallestInputMaxAbs"/>, from the subnormals up.</summary>
    private static readonly float[] TinyMaxima =
    {
        BitConverter.Int32BitsToSingle(1), BitConverter.Int32BitsToSingle(63), BitConverter.Int32BitsToSingle(64),
        BitConverter.Int32BitsToSingle(1000), 1e-38f, 1e-37f, MathF.BitDecrement(Int8Quantization.SmallestMaxAbs),
        Int8Quantization.SmallestMaxAbs, MathF.BitIncrement(Int8Quantization.SmallestMaxAbs), 4e-37f,
        MathF.BitDecrement(Int8Quantization.SmallestInputMaxAbs), Int8Quantization.SmallestInputMaxAbs,
        MathF.BitIncrement(Int8Quantization.SmallestInputMaxAbs), 1e-36f, 1e-30f,
    };

    [Fact]
    public void The_inverse_scale_never_overflows_and_is_zero_exactly_where_the_scale_is()
    {
        Assert.Equal(0x02FE0001, BitConverter.SingleToInt32Bits(Int8Quantization.SmallestMaxAbs));
        Assert.True(float.IsFinite(127f / Int8Quantization.SmallestMaxAbs));
        Assert.True(float.IsPositiveInfinity(127f / MathF.BitDecrement(Int8Quantization.SmallestMaxAbs)));
        foreach (float max in TinyMaxima.Append(0f).Append(1f).Append(float.MaxValue))
        {
            float inverse = Int8Quantization.InverseScale(max);
            float scale = Int8Quantization.Scale(max);
            Assert.True(float.IsFinite(inverse), $"max {max}: inverse {inverse}");
            Assert.Equal(max < Int8Quantization.SmallestMaxAbs, inverse == 0f);
            Assert.Equal(inverse == 0f, scale == 0f);
            if (inverse != 0f) Assert.Equal(127, Int8Quantization.Quantize(max, inverse));
        }
    }

    [Fact]
    public void The_input_scale_is_the_power_of_two_that_puts_the_maximum_in_63_75_to_127_5_levels()
    {
        Assert.Equal(0x03800000, BitConverter.SingleToInt32Bits(Int8Quantization.SmallestInputMaxAbs)); // 2^-120
        var random = new Random(5);
        var maxima = TinyMaxima.Concat(new[] { 0f, 1f, 127f, 127.49f, 127.5f, 128f, 63.75f, 0.0123f, 3e38f, float.MaxValue })
            .Concat(Enumerable.Range(0, 2000).Select(_ => (float)Math.Pow(2, random.NextDouble() * 247 - 120)));
        foreach (float max in maxima)
        {
            float scale = Int8Quantization.InputScale(max), inverse = Int8Quantization.InputInverseScale(max);
            if (max < Int8Quantization.SmallestInputMaxAbs)
            {
                Assert.Equal(0f, scale);
                Assert.Equal(0f, inverse);
                continue;
            }
            Assert.Equal(0, BitConverter.SingleToInt32Bits(scale) & 0x807FFFFF); // a positive normal power of two
            Assert.Equal(1f, scale * inverse);
            double levels = (double)max / scale;
            Assert.InRange(levels, 63.75, 127.49999999);
            Assert.InRange(Int8Quantization.Quantize(max, inverse), 64, 127);
        }
    }

    [Fact]
    public void The_input_scale_is_right_for_every_mantissa()
    {
        // every mantissa at a few exponents: the bit formula (one carry into the exponent field from 0x7F0000 on) against
        // the definition, the power of two that puts max|x| at 63.75 (included) to 127.5 (excluded) levels
        foreach (int exponentField in new[] { 8, 127, 128, 200, 254 })
        {
            for (int mantissa = 0; mantissa < 1 << 23; mantissa++)
            {
                float max = BitConverter.Int32BitsToSingle((exponentField << 23) | mantissa);
                double levels = (double)max / Int8Quantization.InputScale(max);
                if (levels < 63.75 || levels >= 127.5)
                {
                    Assert.Fail($"max {max:R} (bits 0x{BitConverter.SingleToInt32Bits(max):X8}): {levels} levels");
                }
            }
        }
    }

    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(96)]
    [InlineData(100)]
    [InlineData(256)]
    public void QuantizeInput_gives_the_scale_of_the_scalar_rule_around_the_carry(int n)
    {
        // maxima whose mantissa lies within 300 ulps of 0x7F0000, where the scale doubles, through every quantizer path
        // (a whole number of 32-value pieces under 256, other lengths, long inputs)
        var random = new Random(n);
        for (int d = -300; d <= 300; d += 3)
        {
            float max = BitConverter.Int32BitsToSingle((130 << 23) | (0x7F0000 + d));
            var x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float)(random.NextDouble() * 2 - 1) * max * 0.99f;
            x[random.Next(n)] = d % 2 == 0 ? max : -max;
            var positive = new byte[n];
            var negative = new byte[n];
            float scale = Int8Kernels.QuantizeInput(x, positive, negative, out bool hasNegative);
            Assert.Equal(Int8Quantization.InputScale(max), scale);
            float inverse = Int8Quantization.InputInverseScale(max);
            for (int i = 0; i < n; i++)
            {
                int q = Int8Quantization.Quantize(x[i], inverse);
                Assert.Equal(Math.Max(q, 0), positive[i]);
                if (hasNegative) Assert.Equal(Math.Max(-q, 0), negative[i]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void QuantizeInput_of_tiny_maxima_gives_the_scalar_rules_bytes(int n)
    {
        foreach (float max in TinyMaxima)
        {
            foreach (bool signed in new[] { false, true })
            {
                // zeros, positives and (when signed) negatives up to max in magnitude, the extreme in the middle
                var x = new float[n];
                for (int i = 0; i < n; i++) x[i] = i % 3 == 0 ? 0f : max * ((i % 5) / 4f) * (signed && i % 2 == 1 ? -1f : 1f);
                x[n / 2] = signed && n > 1 ? -max : max;
                var positive = new byte[n];
                var negative = new byte[n];
                Array.Fill(positive, (byte)0xEE);
                float scale = Int8Kernels.QuantizeInput(x, positive, negative, out bool hasNegative);
                float maxAbs = Int8Quantization.MaxAbs(x);
                Assert.Equal(Int8Quantization.InputScale(maxAbs), scale);
                Assert.Equal(x.Any(v => v < 0) && scale != 0f, hasNegative);
                float inverse = Int8Quantization.InputInverseScale(maxAbs);
                for (int i = 0; i < n; i++)
                {
                    int q = Int8Quantization.Quantize(x[i], inverse);
                    Assert.True(Math.Max(q, 0) == positive[i], $"max {max}, x[{i}] = {x[i]}: {positive[i]}, expected {Math.Max(q, 0)}");
                    if (hasNegative) Assert.Equal(Math.Max(-q, 0), negative[i]);
                }
            }
        }
    }

    public static IEnumerable<object[]> ProductShapes()
    {
        // 8 rows and more, fewer than 256 inputs: one sample in 8-row blocks (32-byte vectors from 32 inputs, 64-byte ones
        // from 128 with Avx512BW); 10, 17 and 41 overlap their last block; 784: the tiles
        foreach (int m in new[] { 1, 3, 4, 5, 8, 10, 16, 17, 41 })
        {
            foreach (int n in new[] { 1, 5, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 200, 255, 256, 784 })
            {
                foreach (int samples in new[] { 1, 3, 4, 9 })
                {
                    yield return new object[] { m, n, samples };
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(ProductShapes))]
    public void MatrixProduct_is_exact(int m, int n, int samples)
    {
        var random = new Random(m * 1000 + n * 10 + samples);
        var w = new sbyte[m * n];
        var x = new byte[samples * n];
        for (int i = 0; i < w.Length; i++) w[i] = (sbyte)random.Next(-127, 128);
        for (int i = 0; i < x.Length; i++) x[i] = (byte)random.Next(0, 128);
        var sums = new int[samples * m];
        Int8Kernels.MatrixProduct(w, m, n, x, samples, sums, subtract: false);
        Int8Kernels.MatrixProduct(w, m, n, x, samples, sums, subtract: true);
        Assert.All(sums, v => Assert.Equal(0, v));
        Int8Kernels.MatrixProduct(w, m, n, x, samples, sums, subtract: false);
        for (int s = 0; s < samples; s++)
        {
            for (int o = 0; o < m; o++)
            {
                long expected = 0;
                for (int i = 0; i < n; i++) expected += x[s * n + i] * w[o * n + i];
                Assert.Equal(expected, sums[s * m + o]);
            }
        }
    }

    [Fact]
    public void The_largest_allowed_fan_in_sums_without_overflow()
    {
        int n = Int8Quantization.MaxFanIn;
        Assert.Equal(133_144, n);
        Assert.True((long)n * 127 * 127 <= int.MaxValue);
        Assert.True((long)(n + 1) * 127 * 127 > int.MaxValue);
        var x = new byte[n];
        Array.Fill(x, (byte)127);
        var w = new sbyte[2 * n];
        Array.Fill(w, (sbyte)127, 0, n);
        Array.Fill(w, (sbyte)-127, n, n);
        var sums = new int[2];
        Int8Kernels.MatrixProduct(w, 2, n, x, 1, sums, subtract: false);
        Assert.Equal((long)n * 16129, sums[0]);
        Assert.Equal(-(long)n * 16129, sums[1]);
    }

    [Theory]
    [InlineData(10, 64, 1)]
    [InlineData(32, 64, 1)]
    [InlineData(40, 100, 1)]
    [InlineData(12, 33, 1)]
    [InlineData(10, 128, 1)]
    [InlineData(17, 200, 1)]
    [InlineData(41, 255, 1)]
    [InlineData(8, 32, 1)]
    [InlineData(7, 100, 5)]
    [InlineData(33, 784, 17)]
    public void DenseForward_is_within_one_ulp_of_the_dequantized_arithmetic(int m, int n, int samples)
    {
        var random = new Random(m + n + samples);
        float[] weights = Enumerable.Range(0, m * n).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1)).ToArray();
        float[] bias = Enumerable.Range(0, m).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] x = Enumerable.Range(0, samples * n).Select(i => (float)(random.NextDouble() * 2 - (i % 3 == 0 ? 1 : 0))).ToArray();
        (sbyte[] q, float[] scales, float[] y) = QuantizedDense(m, n, samples, weights, bias, x);
        for (int s = 0; s < samples; s++)
        {
            float[] sample = x[(s * n)..((s + 1) * n)];
            float sx = Int8Quantization.InputScale(Int8Quantization.MaxAbs(sample));
            for (int o = 0; o < m; o++)
            {
                double z = bias[o];
                for (int i = 0; i < n; i++)
                {
                    z += (double)scales[o] * q[o * n + i] * ((double)sx * Int8Quantization.Quantize(sample[i], Int8Quantization.InputInverseScale(Int8Quantization.MaxAbs(sample))));
                }
                float expected = (float)z;
                float actual = y[s * m + o];
                Assert.True(Math.Abs(actual - expected) <= MathF.BitIncrement(MathF.Abs(expected)) - MathF.Abs(expected),
                    $"sample {s} unit {o}: {actual} vs {expected}");
            }
        }
    }

    [Theory]
    [InlineData(8, 64, 1)]
    [InlineData(32, 64, 1)]
    [InlineData(10, 32, 1)]
    [InlineData(12, 200, 3)]
    [InlineData(7, 1040, 2)]
    [InlineData(7, 1041, 2)]
    [InlineData(9, 1500, 5)]
    public void DenseForward_gives_the_bits_of_the_rule_for_its_fan_in(int m, int n, int samples)
    {
        var random = new Random(m * 7 + n);
        // weights near their row's maximum, one in 50 negative: the wide layers' sums reach past 2^24
        float[] weights = Enumerable.Range(0, m * n).Select(i => (float)((0.09 + 0.01 * random.NextDouble()) * (i % 50 == 7 ? -1 : 1))).ToArray();
        float[] bias = Enumerable.Range(0, m).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        // inputs just under a power of two (1.9 to 1.99): about 122 to 127 levels, the largest sums
        float[] x = Enumerable.Range(0, samples * n).Select(i => (float)(1.9 + 0.09 * random.NextDouble())).ToArray();
        (sbyte[] q, float[] scales, float[] y) = QuantizedDense(m, n, samples, weights, bias, x);
        long largest = 0;
        for (int s = 0; s < samples; s++)
        {
            float[] sample = x[(s * n)..((s + 1) * n)];
            float maxAbs = Int8Quantization.MaxAbs(sample);
            float sx = Int8Quantization.InputScale(maxAbs), inverse = Int8Quantization.InputInverseScale(maxAbs);
            for (int o = 0; o < m; o++)
            {
                long sum = 0;
                for (int i = 0; i < n; i++) sum += (long)Int8Quantization.Quantize(sample[i], inverse) * q[o * n + i];
                largest = Math.Max(largest, Math.Abs(sum));
                float expected = Int8RescaleReference.Rescale(sum, sx, scales[o], bias[o], n);
                Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(y[s * m + o]));
            }
        }
        if (n > 1100) Assert.True(largest > 1 << 24, $"the widest sum {largest} does not reach past 2^24");
    }

    [Theory]
    [InlineData(8, 64, 1)]
    [InlineData(10, 32, 1)]
    [InlineData(12, 200, 3)]
    [InlineData(9, 300, 1)]
    public void Scales_outside_the_normal_range_take_the_float64_form(int m, int n, int samples)
    {
        var random = new Random(m + n);
        float[] bias = Enumerable.Range(0, m).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        // tiny inputs and tiny weights: s_x · s_w is subnormal (about 1e-46); the float32 form would lose bits
        float[] tinyW = Enumerable.Range(0, m * n).Select(_ => (float)((random.NextDouble() * 2 - 1) * 1e-12)).ToArray();
        float[] tinyX = Enumerable.Range(0, samples * n).Select(_ => (float)(random.NextDouble() * 1e-30)).ToArray();
        (sbyte[] q, float[] scales, float[] y) = QuantizedDense(m, n, samples, tinyW, bias, tinyX);
        for (int s = 0; s < samples; s++)
        {
            float[] sample = tinyX[(s * n)..((s + 1) * n)];
            float maxAbs = Int8Quantization.MaxAbs(sample);
            float sx = Int8Quantization.InputScale(maxAbs), inverse = Int8Quantization.InputInverseScale(maxAbs);
            for (int o = 0; o < m; o++)
            {
                Assert.False(float.IsNormal(sx * scales[o]), $"s_x · s_w = {sx * scales[o]} is meant to be subnormal");
                long sum = 0;
                for (int i = 0; i < n; i++) sum += (long)Int8Quantization.Quantize(sample[i], inverse) * q[o * n + i];
                Assert.Equal(BitConverter.SingleToInt32Bits(Int8RescaleReference.Rescale(sum, sx, scales[o], bias[o], n)), BitConverter.SingleToInt32Bits(y[s * m + o]));
                float exact = (float)(sum * ((double)sx * scales[o]) + bias[o]);
                Assert.True(Math.Abs(y[s * m + o] - exact) <= MathF.BitIncrement(MathF.Abs(exact)) - MathF.Abs(exact), $"unit {o}: {y[s * m + o]} vs {exact}");
            }
        }
        // huge inputs and weights: s_x · s_w overflows float32; sums of exactly 0 must give the bias, not NaN (0 · ∞)
        float[] hugeW = new float[m * n], hugeX = new float[samples * n];
        for (int o = 0; o < m; o++)
        {
            hugeW[o * n] = 1e22f;
            hugeW[o * n + 1] = -1e22f;
        }
        for (int s = 0; s < samples; s++)
        {
            hugeX[s * n] = 1e22f;
            hugeX[s * n + 1] = 1e22f;
        }
        (_, float[] hugeScales, float[] hy) = QuantizedDense(m, n, samples, hugeW, bias, hugeX);
        Assert.True(float.IsPositiveInfinity(Int8Quantization.InputScale(1e22f) * hugeScales[0]));
        for (int i = 0; i < hy.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(bias[i % m]), BitConverter.SingleToInt32Bits(hy[i]));
        }
    }

    /// <summary>The weights quantized by rows and one <see cref="Int8Kernels.DenseForward{TAct}"/> (no activation) of the samples.</summary>
    private static (sbyte[] Q, float[] Scales, float[] Y) QuantizedDense(int m, int n, int samples, float[] weights, float[] bias, float[] x)
    {
        var q = new sbyte[m * n];
        var scales = new float[m];
        Int8Quantization.QuantizeRows(weights, m, n, q, scales);
        var y = new float[samples * m];
        Int8Kernels.DenseForward<LinearActivation>(q, scales, bias, m, n, x, samples, new byte[Int8Kernels.ScratchBytes(n, samples)], y);
        return (q, scales, y);
    }

    public static IEnumerable<object[]> ChainShapes()
    {
        // Rows of whole 32-byte vectors (WholeBlocks, n = 32 or 64): (32, 64), (64, 32), (8, 32) whole 8-row blocks, the
        // next input quantized by the blocks where m is a multiple of 32; (10, 32), (12, 32), (33, 64) the last 1 to 4 rows
        // as a block of 4; (13, 32), (15, 64), (47, 64), (23, 32) (m % 8 in 5..7) an overlapping last 8-row block; (40, 64)
        // whole blocks, m not a multiple of 32. (16, 100), (10, 128), (32, 200): the general row blocks; (128, 784),
        // (5, 64), (256, 256): the tiles
        foreach ((int m, int n) in new[] { (32, 64), (10, 32), (64, 32), (8, 32), (40, 64), (12, 32), (33, 64), (13, 32), (15, 64), (47, 64), (23, 32), (16, 100), (10, 128), (32, 200), (128, 784), (5, 64), (256, 256) })
        {
            yield return new object[] { m, n };
        }
    }

    [Theory]
    [MemberData(nameof(ChainShapes))]
    public void The_one_sample_chain_gives_the_bits_of_the_scalar_definition(int m, int n)
    {
        Chain<ReLUActivation>(m, n);
        Chain<LinearActivation>(m, n); // outputs of both signs: the next input has negative magnitudes
    }

    /// <summary>
    /// One Dense layer from the definition, scalar, from an input already quantized (scale <paramref name="sx"/>, q in
    /// [−127, 127]): exact integer sums, then the rescale rule (Int8RescaleReference) and the activation.
    /// </summary>
    private static float[] ReferenceLayer<TAct>(sbyte[] w, float[] scales, float[] bias, int m, int n, int[] q, float sx)
        where TAct : struct, IFusedActivation
    {
        var y = new float[m];
        for (int o = 0; o < m; o++)
        {
            long sum = 0;
            for (int i = 0; i < n; i++) sum += q[i] * w[o * n + i];
            y[o] = TAct.Apply(Int8RescaleReference.Rescale(sum, sx, scales[o], bias[o], n));
        }
        return y;
    }

    /// <summary>The scalar rule of <see cref="Int8Quantization"/> on one sample: the levels, the scale, and whether a negative level exists.</summary>
    private static (int[] Levels, float Scale, bool HasNegative) ReferenceQuantize(float[] x)
    {
        float maxAbs = Int8Quantization.MaxAbs(x);
        float inverse = Int8Quantization.InputInverseScale(maxAbs);
        float scale = Int8Quantization.InputScale(maxAbs);
        return (x.Select(v => Int8Quantization.Quantize(v, inverse)).ToArray(), scale, x.Any(v => v < 0) && scale != 0f);
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    private static void Chain<TAct>(int m, int n) where TAct : struct, IFusedActivation
    {
        var random = new Random(m * 1000 + n);
        float[] tiny = { BitConverter.Int32BitsToSingle(7), BitConverter.Int32BitsToSingle(63), BitConverter.Int32BitsToSingle(64),
            MathF.BitDecrement(Int8Quantization.SmallestInputMaxAbs), Int8Quantization.SmallestInputMaxAbs, 1e-36f };
        for (int trial = 0; trial < 11 + tiny.Length; trial++)
        {
            float[] weights = Enumerable.Range(0, m * n).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1)).ToArray();
            float[] bias = Enumerable.Range(0, m).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            float[] x = Enumerable.Range(0, n).Select(_ => (float)(trial % 2 == 0 ? random.NextDouble() : random.NextDouble() * 2 - 1)).ToArray();
            if (trial == 10) Array.Clear(x); // all-zero input: scale 0, the outputs are the biases
            if (trial >= 11)
            {
                // outputs of tiny magnitude on both sides of SmallestInputMaxAbs (below it the next input counts as all zeros,
                // scale 0; from it on the scale is a normal power of two and the extremes quantize to 64 to 127 levels)
                Array.Clear(weights);
                for (int o = 0; o < m; o++) bias[o] = o % 2 == 0 ? tiny[trial - 11] : -tiny[trial - 11];
            }
            var q = new sbyte[m * n];
            var scales = new float[m];
            Int8Quantization.QuantizeRows(weights, m, n, q, scales);

            // the reference: the scalar definition, independent of the kernels
            (int[] levels, float sx0, bool _) = ReferenceQuantize(x);
            float[] expected = ReferenceLayer<TAct>(q, scales, bias, m, n, levels, sx0);
            (int[] nextLevels, float expectedScale, bool expectedNegative) = ReferenceQuantize(expected);
            byte[] positive = nextLevels.Select(v => (byte)Math.Max(v, 0)).ToArray();
            byte[] negative = nextLevels.Select(v => (byte)Math.Max(-v, 0)).ToArray();

            // DenseForward, one sample and (the tiles) four copies of it
            var y1 = new float[m];
            Int8Kernels.DenseForward<TAct>(q, scales, bias, m, n, x, 1, new byte[Int8Kernels.ScratchBytes(n, 1)], y1);
            Assert.Equal(Bits(expected), Bits(y1));
            var y4 = new float[4 * m];
            Int8Kernels.DenseForward<TAct>(q, scales, bias, m, n, Enumerable.Repeat(x, 4).SelectMany(v => v).ToArray(), 4, new byte[Int8Kernels.ScratchBytes(n, 4)], y4);
            for (int s = 0; s < 4; s++) Assert.Equal(Bits(expected), Bits(y4[(s * m)..((s + 1) * m)]));

            // the input quantized as the layer before would leave it: positive magnitudes, then negative ones
            var bytes = new byte[2 * Math.Max(m, n) + 5];
            Array.Fill(bytes, (byte)0xEE);
            float sx = Int8Kernels.QuantizeInput(x, bytes.AsSpan(0, n), bytes.AsSpan(n, n), out bool hasNegative);
            Assert.Equal(sx0, sx);
            byte[] input = bytes[..(2 * n)];
            var y = new float[m];
            Int8Kernels.DenseQuantized<TAct>(q, scales, bias, m, n, input, sx, hasNegative, y);
            Assert.Equal(Bits(expected), Bits(y));

            Array.Clear(y);
            float next = Int8Kernels.DenseQuantizedToNext<TAct>(q, scales, bias, m, n, bytes, sx, hasNegative, y, out bool nextNegative);
            Assert.Equal(Bits(expected), Bits(y));
            Assert.Equal(expectedScale, next);
            Assert.Equal(expectedNegative, nextNegative);
            Assert.Equal(positive, bytes[..m]);
            if (expectedNegative) Assert.Equal(negative, bytes[m..(2 * m)]);

            // from the float input
            Array.Clear(y);
            Array.Fill(bytes, (byte)0xEE);
            next = Int8Kernels.DenseForwardToNext<TAct>(q, scales, bias, m, n, x, bytes, y, out nextNegative);
            Assert.Equal(Bits(expected), Bits(y));
            Assert.Equal(expectedScale, next);
            Assert.Equal(expectedNegative, nextNegative);
            Assert.Equal(positive, bytes[..m]);
            if (expectedNegative) Assert.Equal(negative, bytes[m..(2 * m)]);
        }
    }

    [Fact]
    public void The_one_sample_chain_names_short_spans()
    {
        var error = Assert.Throws<ArgumentException>(() => Int8Kernels.DenseForwardToNext<LinearActivation>(new sbyte[40], new float[4], new float[4], 4, 10, new float[10], new byte[19], new float[4], out _));
        Assert.Contains("20 bytes", error.Message);
        error = Assert.Throws<ArgumentException>(() => Int8Kernels.DenseQuantized<LinearActivation>(new sbyte[32], new float[4], new float[4], 4, 8, new byte[15], 1f, false, new float[4]));
        Assert.Contains("16 input bytes", error.Message);
        error = Assert.Throws<ArgumentException>(() => Int8Kernels.DenseQuantizedToNext<LinearActivation>(new sbyte[32], new float[8], new float[8], 8, 4, new byte[15], 1f, false, new float[8], out _));
        Assert.Contains("16 bytes", error.Message);

        // the length checks the one-sample layer shares name the method that was called
        error = Assert.Throws<ArgumentException>(() => Int8Kernels.DenseForwardToNext<LinearActivation>(new sbyte[39], new float[4], new float[4], 4, 10, new float[10], new byte[20], new float[4], out _));
        Assert.Contains("Int8Kernels.DenseForwardToNext:", error.Message);
        Assert.Contains("40 weights", error.Message);
        error = Assert.Throws<ArgumentException>(() => Int8Kernels.DenseForward<LinearActivation>(new sbyte[39], new float[4], new float[4], 4, 10, new float[10], 1, new byte[Int8Kernels.ScratchBytes(10, 1)], new float[4]));
        Assert.Contains("Int8Kernels.DenseForward:", error.Message);
        error = Assert.Throws<ArgumentException>(() => Int8Kernels.DenseQuantizedToNext<LinearActivation>(new sbyte[31], new float[8], new float[8], 8, 4, new byte[16], 1f, false, new float[8], out _));
        Assert.Contains("Int8Kernels.DenseQuantizedToNext:", error.Message);
        Assert.Contains("32 weights", error.Message);
        error = Assert.Throws<ArgumentException>(() => Int8Kernels.DenseQuantized<LinearActivation>(new sbyte[31], new float[8], new float[8], 8, 4, new byte[16], 1f, false, new float[8]));
        Assert.Contains("Int8Kernels.DenseQuantized:", error.Message);
    }

    [Fact]
    public void Sign_gives_w_times_the_sign_of_s_on_both_widths()
    {
        var random = new Random(4);
        var w = new sbyte[64];
        var sign = new sbyte[64];
        for (int i = 0; i < 64; i++)
        {
            w[i] = (sbyte)random.Next(-127, 128);
            sign[i] = (sbyte)(i % 3 == 0 ? 0 : random.Next(-127, 128));
        }
        sbyte[] expected = w.Select((v, i) => (sbyte)(v * Math.Sign(sign[i]))).ToArray();
        if (System.Runtime.Intrinsics.X86.Avx512BW.IsSupported)
        {
            var r = Int8Width512.Sign(Vector512.Create(w).AsInt32(), Vector512.Create(sign).AsInt32()).AsSByte();
            for (int i = 0; i < 64; i++) Assert.Equal(expected[i], r[i]);
        }
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            var r = Int8Width256.Sign(Vector256.Create(w.AsSpan(0, 32)).AsInt32(), Vector256.Create(sign.AsSpan(0, 32)).AsInt32()).AsSByte();
            for (int i = 0; i < 32; i++) Assert.Equal(expected[i], r[i]);
        }
    }
}
