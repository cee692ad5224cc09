using Backprop.Generated.CompilerServices;
using static Backprop.Generated.Tests.Kernels.KernelTestData;

namespace Backprop.Generated.Tests.Kernels;

/// <summary>
/// <see cref="DenseKernels.BackwardRowsSgd"/> without dx skips the rows whose dz is ±0 when every x is finite
/// (inactive ReLU units of a first layer). These tests hold it to the bits of <c>Backward</c> + <c>Sgd.Step</c> (a
/// skipped row stays as it is) and, on every other row, to the full formula, which the same kernel still runs when it
/// is given a dx (the weights' update does not depend on it), on every shape from 1 × 1 to 67 × 67 and past 256, on
/// spans off the 64-byte grid, and on the inputs where skipping could change bits: −0 weights, −0 in dz, negative and
/// −0 x, infinite and NaN x, a rate of 0. CI runs them on Vector512, Vector256 and scalar.
/// </summary>
public class SgdZeroRowTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (object[] shape in DenseKernelTests.Shapes())
        {
            int m = (int)shape[0], n = (int)shape[1];
            if (m > 67 && n > 67) continue; // the large shapes once each way is enough here
            yield return new object[] { m, n, 0 };
            if (m % 7 == 3) yield return new object[] { m, n, 5 };
        }
    }

    /// <summary>Weights with some −0s, x of both signs with some +0s and −0s, dz with about half its entries +0 and one −0.</summary>
    private static (float[] W, float[] Dz, float[] X) Data(int m, int n, int seed)
    {
        var random = new Random(seed);
        float[] w = new float[m * n], dz = new float[m], x = new float[n];
        for (int k = 0; k < w.Length; k++) w[k] = random.Next(9) == 0 ? -0f : (float)(random.NextDouble() * 2 - 1);
        for (int o = 0; o < m; o++) dz[o] = random.Next(2) == 0 ? 0f : (float)(random.NextDouble() * 2 - 1);
        if (m > 2) dz[m / 2] = -0f;
        for (int i = 0; i < n; i++) x[i] = random.Next(5) switch { 0 => 0f, 1 => -0f, _ => (float)(random.NextDouble() * 2 - 1) };
        return (w, dz, x);
    }

    /// <summary>The weights after the kernel, given a dx (the full formula on every row) or not (zero rows skipped).</summary>
    private static int[] Step(float[] w0, float[] dz, float[] x0, int m, int n, float rate, bool withDx, int offset)
    {
        Span<float> w = Random(w0.Length, 1, offset), x = Random(x0.Length, 2, offset);
        w0.CopyTo(w);
        x0.CopyTo(x);
        float[] dx = withDx ? new float[n] : Array.Empty<float>();
        DenseKernels.BackwardRowsSgd(w, dz, m, n, x, dx, rate);
        return Bits(w);
    }


    private static bool IsZero(float d) => (BitConverter.SingleToInt32Bits(d) & int.MaxValue) == 0;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Zero_rows_stay_as_they_are_and_every_other_row_takes_the_full_formula(int m, int n, int offset)
    {
        (float[] w, float[] dz, float[] x) = Data(m, n, 1000 * m + n);
        foreach (float rate in new[] { 0.37f, 1e-3f, 0f })
        {
            int[] full = Step(w, dz, x, m, n, rate, withDx: true, offset);
            int[] skipped = Step(w, dz, x, m, n, rate, withDx: false, offset);
            for (int o = 0; o < m; o++)
            {
                for (int i = 0; i < n; i++)
                {
                    int k = o * n + i;
                    // the full formula written out: w − rate · (dz · x), each product rounded
                    Assert.Equal(BitConverter.SingleToInt32Bits(w[k] - rate * (dz[o] * x[i])), full[k]);
                    // Backward's gradient, +0 + dz · x, then Sgd.Step's w − rate · g
                    int unfused = BitConverter.SingleToInt32Bits(w[k] - rate * (0f + dz[o] * x[i]));
                    Assert.Equal(IsZero(dz[o]) ? BitConverter.SingleToInt32Bits(w[k]) : full[k], skipped[k]);
                    if (IsZero(dz[o])) Assert.Equal(unfused, skipped[k]);
                }
            }
        }
    }

    [Theory]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    [InlineData(float.NaN)]
    public void An_x_where_zero_times_x_is_NaN_keeps_every_row_on_the_full_formula(float bad)
    {
        foreach ((int m, int n) in new[] { (32, 64), (5, 3), (17, 33), (64, 10) })
        {
            (float[] w, float[] dz, float[] x) = Data(m, n, 7 + m);
            for (int k = 0; k < w.Length; k += 3) w[k] = -0f;
            x[n - 1] = bad; // the last column: the vector loops and the scalar tail both see it somewhere across the shapes
            int[] full = Step(w, dz, x, m, n, 0.25f, withDx: true, 0);
            Assert.Equal(full, Step(w, dz, x, m, n, 0.25f, withDx: false, 0));
            x[n - 1] = 0.5f;
            x[0] = bad;
            full = Step(w, dz, x, m, n, 0.25f, withDx: true, 0);
            Assert.Equal(full, Step(w, dz, x, m, n, 0.25f, withDx: false, 0));
        }
    }

    [Theory]
    [InlineData(-0.5f)]
    [InlineData(-0f)]
    [InlineData(-3.4e38f)]
    public void Negative_and_minus_zero_x_still_skip_and_keep_minus_zero_weights(float negative)
    {
        foreach ((int m, int n) in new[] { (32, 64), (5, 3), (17, 33), (64, 10) })
        {
            (float[] w, float[] dz, float[] x) = Data(m, n, 11 + m);
            for (int k = 0; k < w.Length; k += 3) w[k] = -0f;
            x[n - 1] = negative;
            x[0] = negative;
            int[] skipped = Step(w, dz, x, m, n, 0.25f, withDx: false, 0);
            for (int o = 0; o < m; o++)
            {
                if (!IsZero(dz[o])) continue;
                for (int i = 0; i < n; i++) Assert.Equal(BitConverter.SingleToInt32Bits(w[o * n + i]), skipped[o * n + i]);
            }
        }
    }

    [Theory]
    [InlineData(-0.25f)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NaN)]
    public void A_negative_infinite_or_NaN_rate_keeps_every_row_on_the_full_formula(float rate)
    {
        (float[] w, float[] dz, float[] x) = Data(32, 64, 3);
        for (int k = 0; k < w.Length; k += 3) w[k] = -0f;
        Assert.Equal(Step(w, dz, x, 32, 64, rate, withDx: true, 0), Step(w, dz, x, 32, 64, rate, withDx: false, 0));
    }

    [Fact]
    public void Zero_rows_are_not_written_and_equal_backward_then_sgd_step()
    {
        const int m = 32, n = 64;
        (float[] w, float[] dz, float[] x) = Data(m, n, 5);
        dz[m / 2] = 0f;
        // a signalling NaN in a row whose dz is +0: the full formula would quiet it (w − 0 gives a quiet NaN); a row
        // that is skipped keeps it, which is how this test sees that the rows are skipped
        int zeroRow = Array.FindIndex(dz, d => BitConverter.SingleToInt32Bits(d) == 0); // +0, not the −0 at m / 2
        // (written as bits: the JIT keeps float constants as doubles, and the conversion would quiet it)
        System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(w.AsSpan())[zeroRow * n + 3] = 0x7F800001;
        int[] skipped = Step(w, dz, x, m, n, 0.1f, withDx: false, 0);
        Assert.Equal(0x7F800001, skipped[zeroRow * n + 3]);
        Assert.NotEqual(0x7F800001, Step(w, dz, x, m, n, 0.1f, withDx: true, 0)[zeroRow * n + 3]);

        // every weight as ZeroGradients; Backward; Sgd.Step leave them, −0 weights and x of both signs included (x
        // without zeros here: where a nonzero dz meets an x of ±0, dz · x can be −0, and the full formula turns a −0
        // weight into +0 while the gradient buffer's +0 + (−0) = +0 leaves it −0, the one documented difference)
        w[zeroRow * n + 3] = 0.5f;
        for (int i = 0; i < n; i++) if (IsZero(x[i])) x[i] = i % 2 == 0 ? 0.75f : -0.75f;
        float[] unfused = (float[])w.Clone();
        float[] g = new float[m * n];
        DenseKernels.BackwardRows(unfused, g, dz, m, n, x, default);
        Sgd.Step(unfused, g, 0.1f);
        Assert.Equal(Bits(unfused), Step(w, dz, x, m, n, 0.1f, withDx: false, 0));
    }

    [Fact]
    public void A_short_dz_is_named()
    {
        float[] w = new float[4 * 8], x = new float[8];
        var e = Assert.Throws<ArgumentException>(() => DenseKernels.BackwardRowsSgd(w, new float[3], 4, 8, x, default, 0.1f));
        Assert.Contains("dz", e.Message);
    }
}
