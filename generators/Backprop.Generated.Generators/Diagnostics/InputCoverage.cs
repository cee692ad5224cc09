namespace Backprop.Generated.Generators.Diagnostics;

/// <summary>
/// Which positions of one axis of a convolution's or pooling layer's input no output reads (BPG0007): the input's own
/// positions only, never the zero padding. A position q of the padded axis is read when q = x·stride + u·dilation for
/// an output x in [0, outputs) and a tap u in [0, kernel).
/// </summary>
internal readonly struct AxisCoverage
{
    public AxisCoverage(int length, int unread, bool atEnd)
    {
        Length = length;
        Unread = unread;
        AtEnd = atEnd;
    }

    /// <summary>Positions of the (unpadded) input along the axis.</summary>
    public int Length { get; }

    /// <summary>Input positions no output reads.</summary>
    public int Unread { get; }

    /// <summary>True when the unread positions are the last ones (the windows stop short); false when some lie between windows.</summary>
    public bool AtEnd { get; }

    /// <summary>The input positions that are read: <see cref="Length"/> − <see cref="Unread"/>.</summary>
    public int Read => Length - Unread;

    /// <summary>
    /// The coverage of an axis of <paramref name="length"/> positions by <paramref name="outputs"/> windows. Costs
    /// O(1) when every window touches the next (dilation 1, stride ≤ kernel) and O(length) otherwise.
    /// </summary>
    public static AxisCoverage Of(int length, int kernel, int stride, int padding, int dilation, int outputs)
    {
        if (dilation == 1 && stride <= kernel)
        {
            // Windows touch or overlap from padded position 0 on: only the end can be left out.
            long lastRead = (long)(outputs - 1) * stride + kernel - 1; // padded coordinates
            long unreadAtEnd = (long)padding + length - 1 - lastRead;
            return new AxisCoverage(length, (int)System.Math.Max(0, System.Math.Min(length, unreadAtEnd)), atEnd: true);
        }

        // u·dilation ≡ q (mod stride) has solutions u ≡ first[q mod stride] (mod stride / gcd), or none (-1).
        int gcd = Gcd(dilation, stride);
        int period = stride / gcd;
        var first = new int[stride];
        for (int r = 0; r < stride; r++) first[r] = -1;
        for (int u = 0; u < period; u++) first[(int)((long)u * dilation % stride)] = u;

        int unread = 0;
        int lastReadPosition = -1;
        for (int i = 0; i < length; i++)
        {
            long q = (long)padding + i;
            if (IsRead(q, kernel, stride, dilation, outputs, first, period))
            {
                lastReadPosition = i;
            }
            else
            {
                unread++;
            }
        }
        return new AxisCoverage(length, unread, atEnd: unread == length - 1 - lastReadPosition);
    }

    private static bool IsRead(long q, int kernel, int stride, int dilation, int outputs, int[] first, int period)
    {
        int u0 = first[(int)(q % stride)];
        if (u0 < 0) return false;
        long fromLast = q - (long)(outputs - 1) * stride; // u·dilation ≥ this, so that x ≤ outputs − 1
        long uLow = fromLast <= 0 ? 0 : (fromLast + dilation - 1) / dilation;
        long uHigh = System.Math.Min(kernel - 1, q / dilation); // x ≥ 0
        if (uLow > uHigh) return false;
        long u = uLow + (((u0 - uLow) % period) + period) % period;
        return u <= uHigh;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
