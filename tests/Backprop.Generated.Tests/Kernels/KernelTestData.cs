using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests.Kernels;

/// <summary>Random data, double-precision references and the error bound the kernel tests share.</summary>
internal static class KernelTestData
{
    /// <summary>Sizes 1 to 67 (every vector remainder of Vector512 and Vector256, every row remainder), then past 256.</summary>
    public static readonly int[] SmallSizes = Enumerable.Range(1, 67).ToArray();

    public static readonly int[] LargeSizes = { 255, 256, 257, 300, 784 };

    /// <summary>
    /// A float array of <paramref name="length"/> values in [-1, 1) whose first element sits <paramref name="offset"/>
    /// floats past a 64-byte boundary of the returned span (offset 0: aligned, as generated networks keep their
    /// parameters; 1 to 15: the misaligned spans a caller may pass).
    /// </summary>
    public static Span<float> Random(int length, int seed, int offset = 0)
    {
        var aligned = new AlignedFloats(length + 16);
        Span<float> span = aligned.Span.Slice(offset, length);
        var random = new Random(seed);
        for (int i = 0; i < length; i++) span[i] = (float)(random.NextDouble() * 2 - 1);
        return span;
    }

    /// <summary>Each float's bit pattern, so that assertions tell +0 from −0 and one NaN from another.</summary>
    public static int[] Bits(ReadOnlySpan<float> values)
    {
        int[] bits = new int[values.Length];
        for (int k = 0; k < bits.Length; k++) bits[k] = BitConverter.SingleToInt32Bits(values[k]);
        return bits;
    }

    /// <summary>Σ_i w[o, i] · x[i] in double.</summary>
    public static double Dot(ReadOnlySpan<float> w, int o, int n, ReadOnlySpan<float> x)
    {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += (double)w[o * n + i] * x[i];
        return sum;
    }

    /// <summary>
    /// The float error a sum of <paramref name="terms"/> products may carry (each product and each addition rounds
    /// once, fused or not), relative to the sum of their magnitudes, plus one rounding of the result.
    /// </summary>
    public static double Bound(int terms, double magnitude, double result) =>
        (terms + 2) * Math.Pow(2, -24) * magnitude + Math.Pow(2, -24) * Math.Abs(result) + 1e-30;

    public static void Near(double expected, float actual, double bound, string what)
    {
        double error = Math.Abs(actual - expected);
        Assert.True(error <= bound, $"{what}: expected {expected:R}, got {actual:R} (error {error:E3} > bound {bound:E3})");
    }

    public static double Relu(double z) => Math.Max(z, 0);

    public static double LeakyRelu(double z) => z > 0 ? z : LeakyReLUActivation.Slope * z;
}
