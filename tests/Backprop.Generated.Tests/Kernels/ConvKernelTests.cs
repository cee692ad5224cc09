using Backprop.Generated.CompilerServices;
using static Backprop.Generated.Tests.Kernels.KernelTestData;

namespace Backprop.Generated.Tests.Kernels;

/// <summary>
/// The convolution kernels (<see cref="ConvKernels"/>) against the double-precision direct loops of
/// <see cref="ConvReference"/>: 1-D and 2-D, kernel 1, 3, 5, stride 1, 2, 3, padding 0, 1, 2, dilation 1, 2, 4, every
/// combination, with 1 to 8 channels, 1 to 17 filters, odd and even sizes, 1 to 40 samples and spans that start off a
/// 64-byte boundary; then every channel count × filter count on two geometries; then the layers of FashionCnn and
/// SensorNet.
/// </summary>
/// <remarks>
/// The bound, per value: a float sum of n products (n = fan-in + 1 with the bias for the forward pass, filters × kernel
/// area for the input gradient, samples × output positions + 1 for the weight gradient), in any order and with or
/// without fused multiply-adds, differs from the exact sum by at most about n · u · Σ|term| (u = 2⁻²⁴: each product
/// and each of the n additions rounds once, and a rounding error is at most u times the magnitude of the partial sum,
/// itself at most Σ|term|), plus u · |result| for the final rounding (Higham, Accuracy and Stability of Numerical
/// Algorithms, §3.1). <see cref="Bound"/> is that worst case; it is met by every summation order, so it does not depend
/// on how the kernel blocks its loops, and an indexing mistake (a missing or misplaced term: an error of the order of
/// one term, about Σ|term| / n) exceeds it wherever n · u ≪ 1 / n, that is n ≪ 4096 — every shape here. Measured errors
/// sit near √n · u · Σ|term| (random rounding); the worst-case form is kept because it cannot fail by chance.
/// The tests run as they are on the machine's widest SIMD, and again under DOTNET_EnableAVX512F=0 DOTNET_EnableAVX512=0 (Vector256 path) and
/// DOTNET_EnableHWIntrinsic=0 (plain loops), as the environment variables of `dotnet test`.
/// </remarks>
public class ConvKernelTests
{
    public static IEnumerable<object[]> Geometries()
    {
        int i = 0;
        foreach (int dims in new[] { 1, 2 })
        {
            foreach (int kernel in new[] { 1, 3, 5 })
            {
                foreach (int stride in new[] { 1, 2, 3 })
                {
                    foreach (int padding in new[] { 0, 1, 2 })
                    {
                        foreach (int dilation in new[] { 1, 2, 4 })
                        {
                            int channels = 1 + i % 8;
                            int filters = 1 + i * 7 % 17;
                            int needed = dilation * (kernel - 1) + 1 - 2 * padding;
                            int size = Math.Max(dims == 2 ? 5 + i % 7 : 9 + i * 3 % 23, needed);
                            int samples = dims == 2 ? 1 + i * 5 % 9 : 1 + i * 11 % 40;
                            int offset = i * 3 % 16;
                            yield return new object[] { dims, kernel, stride, padding, dilation, channels, filters, size, samples, offset };
                            i++;
                        }
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Every_geometry_matches_double_precision(int dims, int kernel, int stride, int padding, int dilation, int channels, int filters, int size, int samples, int offset)
    {
        // 2-D inputs are size × (size + 2) so rows and columns differ (a swapped axis shows)
        ConvShape shape = dims == 1
            ? ConvShape.OneD(channels, size, filters, kernel, stride, padding, dilation)
            : ConvShape.TwoD(channels, size, size + 2, filters, kernel, stride, padding, dilation);
        Assert.True(shape.OutWidth > 0 && shape.OutHeight > 0, "test geometry gives no output");
        CheckAll(shape, samples, offset, $"{dims}-D k{kernel} s{stride} p{padding} d{dilation} {channels}→{filters} size {size}");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void Every_channel_and_filter_count_matches(int dims)
    {
        for (int channels = 1; channels <= 8; channels++)
        {
            for (int filters = 1; filters <= 17; filters++)
            {
                ConvShape shape = dims == 2
                    ? ConvShape.TwoD(channels, 7, 9, filters, 3, 1, 1, 1)
                    : ConvShape.OneD(channels, 21, filters, 5, 2, 2, 1);
                CheckAll(shape, 1 + (channels * 3 + filters) % 5, (channels + filters) % 16, $"{dims}-D {channels}→{filters}");
            }
        }
    }

    public static IEnumerable<object[]> NetworkLayers() => new[]
    {
        // FashionCnn: Conv2D(16, 5, pad 2) on 1×28×28, Conv2D(32, 5, pad 2) on 16×14×14
        new object[] { "fashion conv1", 2, 1, 28, 28, 16, 5, 1, 2 },
        new object[] { "fashion conv2", 2, 16, 14, 14, 32, 5, 1, 2 },
        // SensorNet: Conv1D(8, 5, stride 2, pad 2) on 3×128, Conv1D(16, 3) on 8×32
        new object[] { "sensor conv1", 1, 3, 1, 128, 8, 5, 2, 2 },
        new object[] { "sensor conv2", 1, 8, 1, 32, 16, 3, 1, 0 },
    };

    [Theory]
    [MemberData(nameof(NetworkLayers))]
    public void Network_layers_match_at_several_batch_sizes(string name, int dims, int channels, int height, int width, int filters, int kernel, int stride, int padding)
    {
        foreach (int samples in new[] { 1, 2, 7, 33 })
        {
            ConvShape shape = dims == 1
                ? ConvShape.OneD(channels, width, filters, kernel, stride, padding, 1)
                : ConvShape.TwoD(channels, height, width, filters, kernel, stride, padding, 1);
            CheckAll(shape, samples, samples % 16, $"{name} × {samples}");
        }
    }

    [Fact]
    public void Forward_is_the_same_per_sample_and_on_many_samples()
    {
        // each sample's outputs do not depend on the other samples of the call: bit-equal to one call per sample
        ConvShape shape = ConvShape.TwoD(5, 9, 8, 13, 3, 1, 1, 1);
        const int Samples = 11;
        Span<float> w = Random(shape.WeightCount, 1), b = Random(shape.Filters, 2), x = Random(Samples * shape.InputSize, 3);
        float[] all = new float[Samples * shape.OutputSize], one = new float[Samples * shape.OutputSize];
        ConvKernels.Forward(shape, w, b, x, all, Samples);
        for (int s = 0; s < Samples; s++)
        {
            ConvKernels.Forward(shape, w, b, x.Slice(s * shape.InputSize, shape.InputSize), one.AsSpan(s * shape.OutputSize, shape.OutputSize), 1);
        }
        Assert.Equal(one, all);
    }

    [Fact]
    public void Kernels_allocate_nothing_after_a_threads_first_call()
    {
        // the per-thread scratch grows on the first call at a shape, then is reused
        ConvShape shape = ConvShape.TwoD(16, 14, 14, 32, 5, 1, 2, 1);
        var pool = new PoolShape(32, 14, 14, 2, 2);
        const int Samples = 3;
        float[] w = new float[shape.WeightCount], b = new float[shape.Filters], x = new float[Samples * shape.InputSize], z = new float[Samples * shape.OutputSize];
        float[] dx = new float[Samples * shape.InputSize], gw = new float[shape.WeightCount], gb = new float[shape.Filters], p = new float[Samples * pool.OutputSize];
        void All()
        {
            ConvKernels.Forward(shape, w, b, x, z, Samples);
            ConvKernels.InputGradient(shape, w, z, dx, Samples);
            ConvKernels.AddWeightGradient(shape, x, z, gw, gb, Samples);
            PoolKernels.MaxForward(pool, z, p, Samples);
            PoolKernels.MaxBackward(pool, z, p, z, Samples);
            PoolKernels.AverageForward(pool, z, p, Samples);
            PoolKernels.AverageBackward(pool, p, z, Samples);
        }
        All();
        long before = GC.GetAllocatedBytesForCurrentThread();
        All();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void CheckAll(in ConvShape shape, int samples, int offset, string what)
    {
        int inLength = samples * shape.InputSize, outLength = samples * shape.OutputSize;
        Span<float> w = Random(shape.WeightCount, 11 + shape.FanIn, offset);
        Span<float> b = Random(shape.Filters, 12, (offset + 5) % 16);
        Span<float> x = Random(inLength, 13 + samples, (offset + 3) % 16);
        Span<float> dz = Random(outLength, 14 + samples, (offset + 7) % 16);

        // outputs are written in spans 3 floats longer than stated: the extra floats must stay as they are
        Span<float> z = Random(outLength + 3, 15, (offset + 1) % 16);
        z.Slice(0, outLength).Fill(float.NaN);
        float[] zTail = z.Slice(outLength).ToArray();
        ConvKernels.Forward(shape, w, b, x, z, samples);
        ConvReference.Value[] zRef = ConvReference.Forward(shape, w, b, x, samples);
        for (int i = 0; i < outLength; i++) Near(zRef[i], z[i], $"{what}: forward z[{i}] of {samples} samples");
        Assert.Equal(zTail, z.Slice(outLength).ToArray());

        Span<float> dx = Random(inLength + 3, 16, (offset + 9) % 16);
        dx.Slice(0, inLength).Fill(float.NaN); // written, not added: whatever was there goes
        float[] dxTail = dx.Slice(inLength).ToArray();
        ConvKernels.InputGradient(shape, w, dz, dx, samples);
        ConvReference.Value[] dxRef = ConvReference.InputGradient(shape, w, dz, samples);
        for (int i = 0; i < inLength; i++) Near(dxRef[i], dx[i], $"{what}: input gradient [{i}] of {samples} samples");
        Assert.Equal(dxTail, dx.Slice(inLength).ToArray());

        // added to what is there
        Span<float> gw = Random(shape.WeightCount + 3, 17, (offset + 11) % 16), gb = Random(shape.Filters + 3, 18, (offset + 13) % 16);
        float[] gw0 = gw.ToArray(), gb0 = gb.ToArray();
        ConvKernels.AddWeightGradient(shape, x, dz, gw.Slice(0, shape.WeightCount), gb.Slice(0, shape.Filters), samples);
        var (gwRef, gbRef) = ConvReference.WeightGradient(shape, x, dz, gw0, gb0, samples);
        for (int i = 0; i < shape.WeightCount; i++) Near(gwRef[i], gw[i], $"{what}: weight gradient [{i}] over {samples} samples");
        for (int f = 0; f < shape.Filters; f++) Near(gbRef[f], gb[f], $"{what}: bias gradient [{f}] over {samples} samples");
        Assert.Equal(gw0.AsSpan(shape.WeightCount).ToArray(), gw.Slice(shape.WeightCount).ToArray());
        Assert.Equal(gb0.AsSpan(shape.Filters).ToArray(), gb.Slice(shape.Filters).ToArray());
    }

    private static void Near(ConvReference.Value expected, float actual, string what) =>
        KernelTestData.Near(expected.Sum, actual, Bound(expected.Terms, expected.Magnitude, expected.Sum), what);
}
