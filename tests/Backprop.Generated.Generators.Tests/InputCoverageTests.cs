using Backprop.Generated.Generators.Diagnostics;
using Backprop.Generated.Generators.Shared;

namespace Backprop.Generated.Generators.Tests;

/// <summary>BPG0007's coverage arithmetic against the definition: mark every position each output's taps read.</summary>
public class InputCoverageTests
{
    /// <summary>The definition: input position i (padded position i + padding) is read when i + padding = x·stride + u·dilation.</summary>
    private static (int Unread, bool AtEnd) BruteForce(int n, int kernel, int stride, int padding, int dilation, int outputs)
    {
        var read = new bool[n];
        for (int x = 0; x < outputs; x++)
        {
            for (int u = 0; u < kernel; u++)
            {
                long i = (long)x * stride + (long)u * dilation - padding;
                if (i >= 0 && i < n) read[i] = true;
            }
        }
        int unread = read.Count(r => !r);
        int lastRead = Array.LastIndexOf(read, true);
        return (unread, unread == n - 1 - lastRead);
    }

    [Fact]
    public void Coverage_equals_the_definition_on_random_geometries()
    {
        var random = new Random(14);
        int checkedCases = 0, withUnread = 0, withGaps = 0;
        for (int trial = 0; trial < 20_000; trial++)
        {
            int n = random.Next(1, 80);
            int kernel = random.Next(1, 9);
            int stride = random.Next(1, 9);
            int padding = random.Next(0, 6);
            int dilation = random.Next(1, 6);
            int outputs = ConvShape.OutputLength(n, kernel, stride, padding, dilation);
            if (outputs <= 0) continue;
            AxisCoverage coverage = AxisCoverage.Of(n, kernel, stride, padding, dilation, outputs);
            var (unread, atEnd) = BruteForce(n, kernel, stride, padding, dilation, outputs);
            Assert.True(unread == coverage.Unread && (unread == 0 || atEnd == coverage.AtEnd),
                $"n {n}, kernel {kernel}, stride {stride}, padding {padding}, dilation {dilation}: expected {unread} unread (at end {atEnd}), got {coverage.Unread} (at end {coverage.AtEnd})");
            checkedCases++;
            if (unread > 0) withUnread++;
            if (unread > 0 && !atEnd) withGaps++;
        }
        // The draw must reach every branch: full coverage, positions left at the end, gaps between windows.
        Assert.True(checkedCases > 10_000 && withUnread > 1_000 && withGaps > 500, $"{checkedCases} cases, {withUnread} with unread positions, {withGaps} with gaps");
    }

    [Theory]
    [InlineData(28, 2, 2, 0)]  // pooling that divides
    [InlineData(28, 3, 3, 1)]  // pooling: 28 = 9·3 + 1
    [InlineData(26, 3, 3, 2)]
    public void Pooling_leaves_the_remainder(int n, int size, int stride, int unread)
    {
        AxisCoverage coverage = AxisCoverage.Of(n, size, stride, 0, 1, n / size);
        Assert.Equal(unread, coverage.Unread);
        Assert.True(coverage.AtEnd);
    }

    [Fact]
    public void A_large_axis_is_judged_quickly()
    {
        // The O(n) path (stride past the kernel) over the largest axis the limits allow: a few milliseconds.
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        AxisCoverage coverage = AxisCoverage.Of(4_194_304, 1, 1024, 0, 1, ConvShape.OutputLength(4_194_304, 1, 1024, 0, 1));
        Assert.Equal(4_194_304 - 4_096, coverage.Unread);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"{stopwatch.ElapsedMilliseconds} ms");
    }
}
