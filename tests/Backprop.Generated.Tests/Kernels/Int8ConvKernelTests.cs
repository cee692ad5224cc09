using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests.Kernels;

/// <summary>
/// A convolution of int8 networks from its definition, in plain scalar loops: the sample's input quantized with one
/// scale (the shared <see cref="Int8Quantization"/> rule), the integer sum over the receptive field in a long (zeros
/// outside the input), then the rescale rule for the patch's fan-in (Int8RescaleReference) and the activation. The runtime's kernel must
/// give exactly these bits on every SIMD path.
/// </summary>
internal static class Int8ConvReference
{
    public static float[] Forward(in ConvShape s, ReadOnlySpan<sbyte> q, ReadOnlySpan<float> scales, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, bool relu)
    {
        float maxAbs = Int8Quantization.MaxAbs(x);
        float sx = Int8Quantization.InputScale(maxAbs), inverse = Int8Quantization.InputInverseScale(maxAbs);
        var qx = new int[x.Length];
        for (int i = 0; i < x.Length; i++) qx[i] = Int8Quantization.Quantize(x[i], inverse);
        var z = new float[s.OutputSize];
        for (int f = 0; f < s.Filters; f++)
        {
            for (int oy = 0; oy < s.OutHeight; oy++)
            {
                for (int ox = 0; ox < s.OutWidth; ox++)
                {
                    long sum = 0;
                    for (int c = 0; c < s.InChannels; c++)
                    {
                        for (int u = 0; u < s.KernelHeight; u++)
                        {
                            int iy = oy * s.StrideY + u * s.DilationY - s.PaddingY;
                            if ((uint)iy >= (uint)s.InHeight) continue;
                            for (int v = 0; v < s.KernelWidth; v++)
                            {
                                int ix = ox * s.StrideX + v * s.DilationX - s.PaddingX;
                                if ((uint)ix >= (uint)s.InWidth) continue;
                                sum += (long)q[((f * s.InChannels + c) * s.KernelHeight + u) * s.KernelWidth + v] * qx[(c * s.InHeight + iy) * s.InWidth + ix];
                            }
                        }
                    }
                    float value = Int8RescaleReference.Rescale(sum, sx, scales[f], bias[f], s.InChannels * s.KernelHeight * s.KernelWidth);
                    z[(f * s.OutHeight + oy) * s.OutWidth + ox] = relu ? Math.Max(value, 0f) : value;
                }
            }
        }
        return z;
    }
}

/// <summary>
/// <see cref="Int8ConvKernels"/>: exact against <see cref="Int8ConvReference"/> on shapes that take every branch
/// (fan-ins padded to 32, between one AVX2 and one AVX-512 vector, long ones; 8-byte patch moves and the byte loop for
/// dilation and kernels wider than 8; strides, padding, 1-D and 2-D; signed, unsigned and all-zero samples). CI runs
/// them with AVX-512, with AVX-512 off and with no SIMD, so equality here is equality of the three paths.
/// </summary>
public class Int8ConvKernelTests
{
    public static TheoryData<string, int[]> Shapes => new()
    {
        { "FashionCnn conv1: fan-in 25 padded to 32, pad 2", new[] { 2, 1, 28, 28, 16, 5, 1, 2, 1 } },
        { "FashionCnn conv2: fan-in 400", new[] { 2, 16, 14, 14, 32, 5, 1, 2, 1 } },
        { "stride 2, 7 filters, fan-in 27", new[] { 2, 3, 11, 11, 7, 3, 2, 1, 1 } },
        { "dilation 2 (byte loop)", new[] { 2, 2, 12, 12, 4, 3, 1, 2, 2 } },
        { "kernel 9 (byte loop), fan-in 162", new[] { 2, 2, 12, 12, 3, 9, 1, 4, 1 } },
        { "70 filters, fan-in 45, no padding", new[] { 2, 5, 7, 7, 70, 3, 1, 0, 1 } },
        { "SensorNet conv1 (1-D, stride 2, pad 2)", new[] { 1, 3, 1, 128, 8, 5, 2, 2, 1 } },
        { "1-D dilation 2, fan-in 24", new[] { 1, 8, 1, 32, 16, 3, 1, 0, 2 } },
        { "1-D fan-in 120, 130 positions (3 blocks)", new[] { 1, 40, 1, 130, 7, 3, 1, 1, 1 } },
        { "1-D fan-in 1040 (the widest float32 rescale)", new[] { 1, 208, 1, 16, 4, 5, 1, 2, 1 } },
        { "fan-in 1200 (the float64 rescale)", new[] { 2, 48, 8, 8, 6, 5, 1, 2, 1 } },
    };

    private static ConvShape Shape(int[] a) => a[0] == 2
        ? ConvShape.TwoD(a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8])
        : ConvShape.OneD(a[1], a[3], a[4], a[5], a[6], a[7], a[8]);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_int8_convolution_equals_the_scalar_definition_bit_for_bit(string name, int[] geometry)
    {
        ConvShape s = Shape(geometry);
        int fanIn = s.FanIn;
        float[] w = KernelTestData.Random(s.WeightCount, 31).ToArray();
        var q = new sbyte[s.WeightCount];
        var scales = new float[s.Filters];
        Int8Quantization.QuantizeRows(w, s.Filters, fanIn, q, scales);
        float[] bias = KernelTestData.Random(s.Filters, 32).ToArray();
        // four samples: unsigned (as after a ReLU), signed, all zero, signed again
        const int samples = 4;
        var x = new float[samples * s.InputSize];
        KernelTestData.Random(s.InputSize, 33).CopyTo(x.AsSpan(s.InputSize));
        KernelTestData.Random(s.InputSize, 34).CopyTo(x.AsSpan(3 * s.InputSize));
        float[] unsigned = KernelTestData.Random(s.InputSize, 35).ToArray();
        for (int i = 0; i < unsigned.Length; i++) x[i] = Math.Abs(unsigned[i]);
        var scratch = new byte[Int8ConvKernels.ScratchBytes(s)];
        foreach (bool relu in new[] { false, true })
        {
            var y = new float[samples * s.OutputSize];
            if (relu) Int8ConvKernels.Forward<ReLUActivation>(s, q, scales, bias, x, y, samples, scratch);
            else Int8ConvKernels.Forward<LinearActivation>(s, q, scales, bias, x, y, samples, scratch);
            for (int k = 0; k < samples; k++)
            {
                float[] expected = Int8ConvReference.Forward(s, q, scales, bias, x.AsSpan(k * s.InputSize, s.InputSize), relu);
                float[] actual = y[(k * s.OutputSize)..((k + 1) * s.OutputSize)];
                Assert.True(expected.SequenceEqual(actual), $"{name}, sample {k}, relu {relu}: first difference at {Enumerable.Range(0, expected.Length).FirstOrDefault(i => expected[i] != actual[i])}");
            }
            // the all-zero sample gives the biases (after the activation)
            Assert.All(Enumerable.Range(0, s.OutputSize), i => Assert.Equal(relu ? Math.Max(bias[i / (s.OutHeight * s.OutWidth)], 0f) : bias[i / (s.OutHeight * s.OutWidth)], y[2 * s.OutputSize + i]));
        }
    }

    [Fact]
    public void The_int8_convolution_stays_close_to_the_float_convolution()
    {
        ConvShape s = ConvShape.TwoD(16, 14, 14, 32, 5, 1, 2, 1);
        float[] w = KernelTestData.Random(s.WeightCount, 41).ToArray();
        float[] bias = KernelTestData.Random(s.Filters, 42).ToArray();
        float[] x = KernelTestData.Random(s.InputSize, 43).ToArray();
        var q = new sbyte[s.WeightCount];
        var scales = new float[s.Filters];
        Int8Quantization.QuantizeRows(w, s.Filters, s.FanIn, q, scales);
        var exact = new float[s.OutputSize];
        ConvKernels.Forward(s, w, bias, x, exact, 1);
        var y = new float[s.OutputSize];
        Int8ConvKernels.Forward<LinearActivation>(s, q, scales, bias, x, y, 1, new byte[Int8ConvKernels.ScratchBytes(s)]);
        // each product's error is at most |w|·s_x/2 + |x|·s_w/2 + s_w·s_x/4, with s_x ≤ max|x| / 63.75 (a power of two) and
        // s_w = max|w| / 127; over 400 terms of |w|, |x| ≤ 1 that bounds the sum by 400 · (1/127.5 + 1/254 + 1/32385) ≈ 4.7;
        // the errors are unbiased, so the largest is far smaller
        double largest = Enumerable.Range(0, s.OutputSize).Max(i => Math.Abs(exact[i] - y[i]));
        double spread = Math.Sqrt(exact.Average(v => (double)v * v));
        Assert.True(largest < 0.05 * spread, $"largest difference {largest} against an RMS output of {spread}");
        Assert.True(largest > 0, "int8 should differ somewhere from float32");
    }

    [Fact]
    public void Short_spans_are_refused_with_the_lengths_they_need()
    {
        ConvShape s = ConvShape.OneD(2, 10, 3, 3, 1, 0, 1);
        var e = Assert.Throws<ArgumentException>(() => Int8ConvKernels.Forward<LinearActivation>(s, new sbyte[18], new float[3], new float[3],
            new float[20], new float[24], 1, new byte[Int8ConvKernels.ScratchBytes(s) - 1]));
        Assert.Contains($"{Int8ConvKernels.ScratchBytes(s)} scratch bytes", e.Message);
        Assert.Contains("2×1×10 → 3×1×8", e.Message);
    }
}
