using System.Numerics;
using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests.Kernels;

/// <summary>
/// The int8 rescale rule from its definition, written out here rather than taken from the runtime: a layer of fan-in
/// n ≤ 1,040 (its sums exact in float32) scales back with one fused multiply-add, z = fma(t, s_x · s_w, b) (s_x a power
/// of two, so s_x · s_w is exact while it is a normal float, and z the exact value rounded once); a wider layer, or a
/// unit whose s_x · s_w is subnormal, zero or infinite, in float64, (float)(t · ((double)s_x · s_w) + b). The references of the int8 tests take their bits from here.
/// </summary>
internal static class Int8RescaleReference
{
    public static float Rescale(long sum, float sx, float sw, float b, int fanIn)
    {
        Assert.InRange(sum, int.MinValue, int.MaxValue);
        if (fanIn > 1040)
        {
            return (float)(sum * ((double)sx * sw) + b);
        }
        Assert.True(Math.Abs(sum) <= 1 << 24, $"a fan-in of {fanIn} cannot reach a sum of {sum}");
        float scale = sx * sw;
        // exact only while s_x · s_w is a normal float; a subnormal, zero or infinite one takes the float64 form
        return float.IsNormal(scale) ? MathF.FusedMultiplyAdd(sum, scale, b) : (float)(sum * ((double)sx * sw) + b);
    }
}

public class Int8RescaleRuleTests
{
    [Fact]
    public void The_float32_fan_in_limit_is_where_sums_stop_being_exact_in_float32()
    {
        Assert.Equal(1040, Int8Quantization.MaxFloat32RescaleFanIn);
        Assert.True(1040L * 127 * 127 <= 1 << 24);
        Assert.True(1041L * 127 * 127 > 1 << 24);
    }

    [Fact]
    public void The_float32_rule_is_the_exact_value_rounded_once_cancellations_included()
    {
        var random = new Random(11);
        for (int k = 0; k < 200_000; k++)
        {
            // s_x a power of two, as Int8Quantization.InputScale makes it
            float sx = Int8Quantization.InputScale((float)(random.NextDouble() * 10 + 1e-3));
            float sw = (float)(random.NextDouble() * 0.01);
            int t = random.Next(-(1 << 24), (1 << 24) + 1);
            // every fourth case: a bias that all but cancels t · s_x · s_w
            float b = k % 4 == 0 ? (float)(-(double)t * sx * sw * (1 + (random.NextDouble() - 0.5) * 1e-5)) : (float)(random.NextDouble() * 2 - 1);
            // t · s_x · s_w + b exactly, in integers (units of 2^-1200): t · s_w is exact in float64 (24 + 24 bits) and
            // s_x a power of two
            BigInteger exact = Exact((double)t * sw * sx) + Exact(b);
            float z = Int8RescaleReference.Rescale(t, sx, sw, b, 64);
            BigInteger error = BigInteger.Abs(Exact(z) - exact);
            BigInteger neighbour = BigInteger.Min(BigInteger.Abs(Exact(MathF.BitIncrement(z)) - exact), BigInteger.Abs(Exact(MathF.BitDecrement(z)) - exact));
            Assert.True(error <= neighbour, $"t={t} sx={sx:R} sw={sw:R} b={b:R}: {z:R}");
        }
    }

    /// <summary>A finite double as an integer number of 2^-1200 (exact for every double of magnitude at least 2^-1074).</summary>
    private static BigInteger Exact(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        BigInteger magnitude = new BigInteger(mantissa) << (exponent - 1075 + 1200);
        return bits < 0 ? -magnitude : magnitude;
    }
}
