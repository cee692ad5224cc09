using System;

namespace Backprop.Generated;

/// <summary>
/// Weight initializers. Generated <c>InitializeParameters</c> calls <see cref="InitializeLayer"/> once per Dense layer;
/// the result depends only on the seed, the layer index and the shapes.
/// </summary>
public static class Initializers
{
    /// <summary>The LeakyReLU negative slope, also used in the He gain <c>sqrt(2 / (1 + slope^2))</c>.</summary>
    public const float LeakyReLUSlope = ActivationConstants.LeakyReLUSlope;

    /// <summary>Resolves <see cref="Init.Auto"/>: He uniform for ReLU and LeakyReLU, Xavier uniform otherwise.</summary>
    public static Init Resolve(Init init, Activation activation) => InitRule.Resolve(init, activation);

    /// <summary>
    /// Fills <paramref name="weights"/> (<c>fanOut * fanIn</c> floats, <c>[out][in]</c>) with <paramref name="init"/>
    /// and <paramref name="biases"/> with zeros. The random stream is <c>(seed, layer)</c>.
    /// </summary>
    public static void InitializeLayer(
        Span<float> weights, Span<float> biases, int fanIn, int fanOut, Init init, Activation activation, int seed, int layer)
    {
        if (fanIn <= 0 || fanOut <= 0) throw new ArgumentOutOfRangeException(nameof(fanIn), $"fanIn {fanIn} and fanOut {fanOut} must be positive.");
        if (weights.Length != fanIn * fanOut)
            throw new ArgumentException($"Expected {fanIn * fanOut} weights ({fanOut} x {fanIn}), got {weights.Length}.", nameof(weights));
        biases.Clear();
        var rng = new DeterministicRandom(seed, layer);
        double heGain = activation == Activation.LeakyReLU
            ? Math.Sqrt(2.0 / (1.0 + (double)LeakyReLUSlope * LeakyReLUSlope))
            : Math.Sqrt(2.0);
        switch (Resolve(init, activation))
        {
            case Init.XavierUniform:
                FillUniform(weights, Math.Sqrt(6.0 / (fanIn + fanOut)), ref rng);
                break;
            case Init.XavierNormal:
                FillNormal(weights, Math.Sqrt(2.0 / (fanIn + fanOut)), ref rng);
                break;
            case Init.HeUniform:
                FillUniform(weights, heGain * Math.Sqrt(3.0 / fanIn), ref rng);
                break;
            case Init.HeNormal:
                FillNormal(weights, heGain / Math.Sqrt(fanIn), ref rng);
                break;
            case Init.LeCunNormal:
                FillNormal(weights, Math.Sqrt(1.0 / fanIn), ref rng);
                break;
            case Init.Zeros:
                weights.Clear();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(init), init, "Unknown initializer.");
        }
    }

    private static void FillUniform(Span<float> weights, double bound, ref DeterministicRandom rng)
    {
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)((2.0 * rng.NextDouble() - 1.0) * bound);
        }
    }

    private static void FillNormal(Span<float> weights, double std, ref DeterministicRandom rng)
    {
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)(rng.NextNormal() * std);
        }
    }
}
