using System;

namespace Backprop.Generated;

/// <summary>
/// A small pseudo-random generator (SplitMix64) whose sequence depends only on the seed and stream: the same on every
/// machine, operating system and .NET runtime, unlike <see cref="System.Random"/>. Normal variates use the polar method
/// with a logarithm built from IEEE basic operations only, so they are bit-identical too. The weight initializers and
/// the trainer's shuffling draw from it; use it for data that must come out the same everywhere.
/// </summary>
public struct DeterministicRandom
{
    private ulong _state;
    private double _spare;
    private bool _hasSpare;

    /// <summary>Starts the sequence for <paramref name="seed"/> and an independent <paramref name="stream"/>.</summary>
    public DeterministicRandom(long seed, long stream = 0)
    {
        _state = Mix((ulong)seed ^ Mix(0x9E3779B97F4A7C15UL * (ulong)(stream + 1)));
        _spare = 0;
        _hasSpare = false;
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>) without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "Must be positive.");
        ulong bound = (ulong)maxExclusive;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = NextUInt64();
            if (r >= threshold) return (int)(r % bound);
        }
    }

    /// <summary>A standard normal variate (mean 0, standard deviation 1), Marsaglia's polar method.</summary>
    public double NextNormal()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double u, v, s;
        do
        {
            u = 2.0 * NextDouble() - 1.0;
            v = 2.0 * NextDouble() - 1.0;
            s = u * u + v * v;
        }
        while (s >= 1.0 || s == 0.0);
        double factor = Math.Sqrt(-2.0 * DeterministicMath.Log(s) / s); // Math.Sqrt is correctly rounded (IEEE 754)
        _spare = v * factor;
        _hasSpare = true;
        return u * factor;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>Math functions computed from IEEE basic operations only, so results are identical on every platform.</summary>
internal static class DeterministicMath
{
    private const double Ln2 = 0.693147180559945309417232121458;

    /// <summary>Natural logarithm of a positive, finite <paramref name="x"/> to about 1 ulp.</summary>
    public static double Log(double x)
    {
        if (!(x > 0) || double.IsInfinity(x)) throw new ArgumentOutOfRangeException(nameof(x), x, "Log needs a positive finite number.");
        long bits = BitConverter.DoubleToInt64Bits(x);
        int exponent = (int)((bits >> 52) & 0x7FF);
        if (exponent == 0)
        {
            // Subnormal: scale into the normal range first.
            return Log(x * 18014398509481984.0) - 54 * Ln2; // 2^54
        }
        exponent -= 1023;
        double m = BitConverter.Int64BitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L); // [1, 2)
        if (m > 1.4142135623730951)
        {
            m *= 0.5;
            exponent++;
        }
        // log m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = (m - 1)/(m + 1), |s| <= 0.1716.
        double s = (m - 1.0) / (m + 1.0);
        double s2 = s * s;
        double sum = 0;
        for (int k = 23; k >= 1; k -= 2)
        {
            sum = sum * s2 + 1.0 / k;
        }
        return 2.0 * s * sum + exponent * Ln2;
    }
}
