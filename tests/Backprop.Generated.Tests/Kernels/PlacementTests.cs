using System.Runtime.InteropServices;
using Backprop.Generated.CompilerServices;
using static Backprop.Generated.Tests.Kernels.KernelTestData;

namespace Backprop.Generated.Tests.Kernels;

/// <summary>
/// The one-sample kernels give the same bits wherever the weights lie: at every 4-byte offset 0 to 60 from a 64-byte
/// line (a baked network's weights land wherever the compiler put the assembly's data), with NaN (float) or −128 (int8)
/// in the memory just before and after the weights (so a kernel that read a neighbour's lanes, as an aligned-load scheme
/// would, could not pass by luck), compared bit for bit. Shapes as <see cref="DenseKernelTests.Shapes"/>: 1 to 67 and past 256 on both axes. Which SIMD width
/// runs depends on the CPU: CI runs these tests with Vector512, again with AVX-512 off (Vector256) and with no SIMD.
/// </summary>
public class PlacementTests
{
    public static IEnumerable<object[]> Shapes() => DenseKernelTests.Shapes();

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Gemv_gives_the_same_bits_at_every_placement_of_the_weights(int m, int n)
    {
        Span<float> source = Random(m * n, 21);
        Span<float> b = Random(m, 22), x = Random(n, 23, offset: 3);
        var buffer = new AlignedFloats(m * n + 32);
        int[] reference = Bits(Run(0, buffer, source, b, x, m, n));
        for (int floats = 1; floats < 16; floats++)
        {
            Assert.Equal(reference, Bits(Run(floats, buffer, source, b, x, m, n)));
        }

        static float[] Run(int floats, AlignedFloats buffer, ReadOnlySpan<float> source, ReadOnlySpan<float> b, ReadOnlySpan<float> x, int m, int n)
        {
            buffer.Span.Fill(float.NaN);
            Span<float> w = buffer.Span.Slice(floats, m * n);
            source.CopyTo(w);
            float[] y = new float[m];
            DenseKernels.Gemv<ReLUActivation>(w, b, m, n, x, y);
            return y;
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Int8_DenseForward_gives_the_same_bits_at_every_placement_of_the_weights(int m, int n)
    {
        var random = new Random(31);
        sbyte[] source = new sbyte[m * n];
        for (int i = 0; i < source.Length; i++) source[i] = (sbyte)random.Next(-127, 128);
        float[] scales = new float[m];
        for (int o = 0; o < m; o++) scales[o] = 0.001f * (1 + o % 7);
        float[] b = Random(m, 32).ToArray(), x = Random(n, 33, offset: 5).ToArray();
        byte[] scratch = new byte[Int8Kernels.ScratchBytes(n, 1)];
        var buffer = new AlignedFloats((m * n + 3) / 4 + 32);
        int[] reference = Bits(Run(0));
        for (int bytes = 4; bytes < 64; bytes += 4)
        {
            Assert.Equal(reference, Bits(Run(bytes)));
        }

        float[] Run(int bytes)
        {
            Span<sbyte> all = MemoryMarshal.Cast<float, sbyte>(buffer.Span);
            all.Fill(sbyte.MinValue);
            Span<sbyte> w = all.Slice(bytes, m * n);
            source.CopyTo(w);
            float[] y = new float[m];
            Int8Kernels.DenseForward<ReLUActivation>(w, scales, b, m, n, x, 1, scratch, y);
            return y;
        }
    }
}
