using System.Runtime.Intrinsics;
using Backprop.Generated;
using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests;

/// <summary>VectorMath.Tanh and Exp against double precision rounded to float, across the whole float range.</summary>
public class VectorMathTests
{
    private static long UlpDistance(float a, float b)
    {
        int ia = BitConverter.SingleToInt32Bits(a), ib = BitConverter.SingleToInt32Bits(b);
        if (ia < 0) ia = int.MinValue - ia;
        if (ib < 0) ib = int.MinValue - ib;
        return Math.Abs((long)ia - ib);
    }

    private static float Tanh1(float x) => VectorMath.Tanh(Vector128.Create(x)).GetElement(0);

    /// <summary>
    /// The largest ulp distance of f from the correctly rounded reference over every 61st float bit pattern of both
    /// signs up to ±∞ (1.0e9 / 61 ≈ 17 million per sign: every binade, dense; every 977th without SIMD hardware, where
    /// Vector128 runs in software, as in the CI's DOTNET_EnableHWIntrinsic=0 run), where <paramref name="inDomain"/>.
    /// </summary>
    private static (long Worst, float At) Sweep(Func<float, float> f, Func<double, double> reference, Func<float, bool> inDomain)
    {
        uint stride = Vector128.IsHardwareAccelerated ? 61u : 977u;
        long worst = 0;
        float worstAt = 0;
        for (uint bits = 0; bits < 0x7F800000u; bits += stride)
        {
            float x = BitConverter.UInt32BitsToSingle(bits);
            foreach (float v in new[] { x, -x })
            {
                if (!inDomain(v)) continue;
                long d = UlpDistance(f(v), (float)reference(v));
                if (d > worst) (worst, worstAt) = (d, v);
            }
        }
        return (worst, worstAt);
    }

    [Fact]
    public void Tanh_is_within_1_ulp_of_the_correctly_rounded_value_on_a_sweep_of_every_binade()
    {
        (long worst, float at) = Sweep(Tanh1, Math.Tanh, _ => true);
        // 1 ulp at worst on this sweep (as Cephes documents for tanhf: 1.3e-7 relative)
        Assert.True(worst <= 1, $"tanh({at:R}) is {worst} ulp from the correctly rounded value");
    }

    /// <summary>
    /// The eight-lane tanh (the lane Forward of unrolled networks) against the four-lane one (one-sample Forward) bit for
    /// bit: the same operations lane for lane, on every lane position, over every 61st bit pattern of both signs (every
    /// 977th without SIMD hardware), the branch point, the cap, ±0, ±∞ and NaN.
    /// </summary>
    [Fact]
    public void Tanh_on_eight_lanes_has_the_bits_of_tanh_on_four()
    {
        uint stride = Vector128.IsHardwareAccelerated ? 61u : 977u;
        var values = new List<float> { 0f, -0f, 0.625f, -0.625f, 10f, -10f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon };
        for (uint bits = 0; bits < 0x7F800000u; bits += stride)
        {
            float x = BitConverter.UInt32BitsToSingle(bits);
            values.Add(x);
            values.Add(-x);
        }
        while (values.Count % 8 != 0) values.Add(1f);
        float[] v = values.ToArray();
        for (int i = 0; i < v.Length; i += 8)
        {
            Vector256<float> wide = VectorMath.Tanh(Vector256.Create(v.AsSpan(i, 8)));
            Vector128<float> low = VectorMath.Tanh(Vector128.Create(v.AsSpan(i, 4)));
            Vector128<float> high = VectorMath.Tanh(Vector128.Create(v.AsSpan(i + 4, 4)));
            if (wide.AsInt32() != Vector256.Create(low, high).AsInt32())
            {
                for (int lane = 0; lane < 8; lane++)
                {
                    float four = lane < 4 ? low.GetElement(lane) : high.GetElement(lane - 4);
                    Assert.True(BitConverter.SingleToInt32Bits(four) == BitConverter.SingleToInt32Bits(wide.GetElement(lane)),
                        $"tanh({v[i + lane]:R}): eight lanes {wide.GetElement(lane):R}, four lanes {four:R}");
                }
            }
        }
    }

    [Fact]
    public void Tanh_near_the_branch_point_and_the_cap_is_within_1_ulp()
    {
        foreach (float centre in new[] { 0.625f, 9f, 10f })
        {
            int c = BitConverter.SingleToInt32Bits(centre);
            for (int k = -2000; k <= 2000; k++)
            {
                float x = BitConverter.Int32BitsToSingle(c + k);
                Assert.True(UlpDistance(Tanh1(x), (float)Math.Tanh(x)) <= 1, $"tanh({x:R}) = {Tanh1(x):R}, expected {(float)Math.Tanh(x):R}");
            }
        }
    }

    [Fact]
    public void Tanh_keeps_the_special_values()
    {
        Assert.Equal(1f, Tanh1(float.PositiveInfinity));
        Assert.Equal(-1f, Tanh1(float.NegativeInfinity));
        Assert.True(float.IsNaN(Tanh1(float.NaN)));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(Tanh1(-0f)));
        Assert.Equal(0f, Tanh1(0f));
        Assert.Equal(1e-30f, Tanh1(1e-30f));
        Assert.Equal(float.Epsilon, Tanh1(float.Epsilon));
        Assert.Equal(1f, Tanh1(float.MaxValue));
        Assert.Equal(-1f, Tanh1(-20f));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(33)]
    public void Tanh_of_a_span_equals_the_vector_function_element_by_element(int length)
    {
        var rng = new Random(length);
        float[] values = Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 8 - 4)).ToArray();
        float[] expected = values.Select(Tanh1).ToArray();
        VectorMath.Tanh(values);
        Assert.Equal(expected, values);
    }

    private static float Exp1(float x) => VectorMath.Exp(Vector128.Create(x)).GetElement(0);

    [Fact]
    public void Exp_is_within_1_ulp_of_the_correctly_rounded_value_on_a_sweep_of_every_binade()
    {
        // where e^x is finite and not zero: x in (−103.97, 88.72], results down into the denormals
        (long worst, float at) = Sweep(Exp1, Math.Exp, x => x <= 88.72f && x >= -103.97f);
        Assert.True(worst <= 1, $"exp({at:R}) is {worst} ulp from the correctly rounded value");
    }

    [Fact]
    public void Exp_keeps_the_special_values_and_the_range_ends()
    {
        Assert.Equal(1f, Exp1(0f));
        Assert.Equal(1f, Exp1(-0f));
        Assert.Equal(float.PositiveInfinity, Exp1(float.PositiveInfinity));
        Assert.Equal(0f, Exp1(float.NegativeInfinity));
        Assert.True(float.IsNaN(Exp1(float.NaN)));
        Assert.Equal(float.PositiveInfinity, Exp1(89f));
        Assert.Equal(float.PositiveInfinity, Exp1(float.MaxValue));
        Assert.Equal(0f, Exp1(-104f));
        Assert.Equal(0f, Exp1(-float.MaxValue));
        Assert.Equal((float)Math.Exp(88.72f), Exp1(88.72f));
        Assert.Equal((float)Math.Exp(-100f), Exp1(-100f)); // a denormal
        Assert.Equal((float)Math.Exp(-87.5f), Exp1(-87.5f));
    }
}
