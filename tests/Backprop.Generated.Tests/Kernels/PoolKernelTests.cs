using Backprop.Generated.CompilerServices;
using static Backprop.Generated.Tests.Kernels.KernelTestData;

namespace Backprop.Generated.Tests.Kernels;

/// <summary>
/// The pooling kernels (<see cref="PoolKernels"/>) against <see cref="ConvReference"/>: 1-D and 2-D windows of 1 to 4
/// on inputs they do and do not divide, global average pooling (one window over the whole channel), ties in max
/// pooling (the gradient goes to the first maximum in row-major order), misaligned spans; rows of 1 to 16 outputs (the
/// scalar rows under 4, Vector128 from 4 to 7, Vector256 with an overlapping last vector from 8), NaNs in max pooling. Max pooling moves values
/// without arithmetic, so it must match exactly; average pooling sums the window then scales by 1 / area:
/// (area + 1) roundings of at most u times the window's magnitude (<see cref="KernelTestData.Bound"/>).
/// </summary>
public class PoolKernelTests
{
    public static IEnumerable<object[]> Shapes()
    {
        int i = 0;
        // 1-D: windows 1 to 4 on lengths 1 to 19 (those that divide and those that do not)
        foreach (int window in new[] { 1, 2, 3, 4 })
        {
            for (int length = window; length <= 19; length += 1 + i % 3, i++)
            {
                yield return new object[] { 1 + i % 5, 1, length, 1, window, 1 + i * 7 % 13, i % 16 };
            }
        }
        // 2-D: square and not, windows that divide and that leave rows or columns out
        foreach (int window in new[] { 1, 2, 3 })
        {
            foreach (int h in new[] { 3, 4, 6, 7 })
            {
                foreach (int w in new[] { 3, 5, 6, 8, 10, 14, 17, 18, 28, 32 })
                {
                    if (h < window || w < window) continue;
                    yield return new object[] { 1 + i % 4, h, w, window, window, 1 + i * 5 % 9, i % 16 };
                    i++;
                }
            }
        }
        // global average pooling shapes (one window the size of the channel), and a non-square window
        yield return new object[] { 16, 1, 30, 1, 30, 3, 5 };
        yield return new object[] { 3, 5, 7, 5, 7, 4, 1 };
        yield return new object[] { 2, 6, 9, 2, 3, 5, 2 };
        yield return new object[] { 32, 14, 14, 2, 2, 9, 0 };
        yield return new object[] { 8, 1, 64, 1, 2, 40, 3 };
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Pooling_matches_reference(int channels, int height, int width, int windowHeight, int windowWidth, int samples, int offset)
    {
        var shape = new PoolShape(channels, height, width, windowHeight, windowWidth);
        string what = $"{channels}×{height}×{width} window {windowHeight}×{windowWidth} × {samples}";
        int inLength = samples * shape.InputSize, outLength = samples * shape.OutputSize;
        foreach (int mode in new[] { 0, 1, 2 })
        {
            bool ties = mode == 1, nans = mode == 2;
            Span<float> x = Random(inLength, 3 + samples, offset);
            // ties: few distinct values, so most windows hold their maximum twice or more
            if (ties) for (int i = 0; i < inLength; i++) x[i] = MathF.Round(x[i] * 1.5f);
            // NaNs at every window position somewhere: a NaN first in its window is the maximum, a later one never wins (the loops' x > best)
            if (nans) for (int i = 3; i < inLength; i += 7) x[i] = float.NaN;
            Span<float> dy = Random(outLength, 4, (offset + 5) % 16);

            Span<float> y = Random(outLength + 2, 5, (offset + 1) % 16);
            float[] tail = y.Slice(outLength).ToArray();
            PoolKernels.MaxForward(shape, x, y, samples);
            double[] yRef = ConvReference.MaxForward(shape, x, samples);
            for (int i = 0; i < outLength; i++) Assert.True(yRef[i].Equals((double)y[i]), $"{what}, mode {mode}: max y[{i}] = {y[i]:R}, expected {yRef[i]:R}");
            Assert.Equal(tail, y.Slice(outLength).ToArray());

            Span<float> dx = Random(inLength + 2, 6, (offset + 2) % 16);
            dx.Slice(0, inLength).Fill(float.NaN);
            tail = dx.Slice(inLength).ToArray();
            PoolKernels.MaxBackward(shape, x, dy, dx, samples);
            double[] dxRef = ConvReference.MaxBackward(shape, x, dy, samples);
            for (int i = 0; i < inLength; i++) Assert.True(dxRef[i] == dx[i], $"{what}, mode {mode}: max dx[{i}] = {dx[i]:R}, expected {dxRef[i]:R}");
            Assert.Equal(tail, dx.Slice(inLength).ToArray());
            if (nans) continue;

            y = Random(outLength + 2, 7, (offset + 3) % 16);
            tail = y.Slice(outLength).ToArray();
            PoolKernels.AverageForward(shape, x, y, samples);
            yRef = ConvReference.AverageForward(shape, x, samples);
            int area = windowHeight * windowWidth;
            for (int i = 0; i < outLength; i++)
            {
                double magnitude = WindowMagnitude(shape, x, i) / area;
                Near(yRef[i], y[i], Bound(area + 1, magnitude, yRef[i]), $"{what}: average y[{i}]");
            }
            Assert.Equal(tail, y.Slice(outLength).ToArray());

            dx = Random(inLength + 2, 8, (offset + 4) % 16);
            dx.Slice(0, inLength).Fill(float.NaN);
            tail = dx.Slice(inLength).ToArray();
            PoolKernels.AverageBackward(shape, dy, dx, samples);
            dxRef = ConvReference.AverageBackward(shape, dy, samples);
            // g · (1 / area): the rounded reciprocal and the rounded product, two roundings
            for (int i = 0; i < inLength; i++) Near(dxRef[i], dx[i], 2.5 * Math.Pow(2, -24) * Math.Abs(dxRef[i]) + 1e-30, $"{what}: average dx[{i}]");
            Assert.Equal(tail, dx.Slice(inLength).ToArray());
        }
    }

    [Fact]
    public void Max_pooling_sends_a_tie_to_the_first_maximum_in_row_major_order()
    {
        // one 3×3 window whose maximum 2 sits at (0, 2), (1, 0) and (2, 2): (0, 2) gets the gradient
        var shape = new PoolShape(1, 3, 3, 3, 3);
        float[] x = { 0, 1, 2, 2, -1, 0, 1, 1, 2 };
        float[] dx = new float[9];
        PoolKernels.MaxBackward(shape, x, new[] { 5f }, dx, 1);
        Assert.Equal(new float[] { 0, 0, 5, 0, 0, 0, 0, 0, 0 }, dx);
    }

    private static double WindowMagnitude(in PoolShape shape, ReadOnlySpan<float> x, int output)
    {
        int outPlane = shape.OutHeight * shape.OutWidth, inPlane = shape.InHeight * shape.InWidth;
        int p = output / outPlane, oy = output % outPlane / shape.OutWidth, ox = output % shape.OutWidth;
        double sum = 0;
        for (int u = 0; u < shape.WindowHeight; u++)
        {
            for (int v = 0; v < shape.WindowWidth; v++) sum += Math.Abs(x[p * inPlane + (oy * shape.WindowHeight + u) * shape.InWidth + ox * shape.WindowWidth + v]);
        }
        return sum;
    }
}
