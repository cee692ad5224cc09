using System.ComponentModel;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// The dropout mask of generated networks: a counter-based hash of (seed, step, layer, element), so the mask needs no
/// state, is identical on every machine, and a gradient check can hold it fixed by resetting the step. Called by
/// generated code; versioned with the generator (one package).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class DropoutMask
{
    /// <summary>
    /// The factor for one element: 0 when dropped (probability <paramref name="rate"/>), else <c>1 / (1 - rate)</c>.
    /// </summary>
    public static float Scale(int seed, long step, int layer, int element, float rate)
    {
        if (rate <= 0f) return 1f;
        return Uniform(seed, step, layer, element) < rate ? 0f : 1f / (1f - rate);
    }

    /// <summary>The uniform variate in [0, 1) behind the mask (24 random bits, exact in float).</summary>
    public static float Uniform(int seed, long step, int layer, int element)
    {
        ulong key = Mix((ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)step);
        key = Mix(key ^ ((ulong)(uint)layer << 32 | (uint)element));
        return (key >> 40) * (1f / (1 << 24));
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
