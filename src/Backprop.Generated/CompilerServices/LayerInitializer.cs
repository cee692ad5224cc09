using System;
using System.ComponentModel;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// The weight initializers behind generated <c>InitializeParameters</c>, which calls <see cref="Initialize"/> once per
/// Dense layer and <see cref="InitializeConvolution"/> once per convolution; the result depends only on the seed, the layer index and the shapes. Called by generated code;
/// versioned with the generator (one package).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class LayerInitializer
{
    /// <summary>
    /// Fills <paramref name="weights"/> (<c>fanOut * fanIn</c> floats, <c>[out][in]</c>) with <paramref name="init"/>
    /// (<see cref="Init.Auto"/> resolved by <see cref="Initializers.Resolve"/>) and <paramref name="biases"/> with
    /// zeros. The random stream is <c>new DeterministicRandom(seed, layer)</c>.
    /// </summary>
    public static void Initialize(
        Span<float> weights, Span<float> biases, int fanIn, int fanOut, Init init, Activation activation, int seed, int layer)
    {
        if (fanIn <= 0 || fanOut <= 0) throw new ArgumentOutOfRangeException(nameof(fanIn), $"fanIn {fanIn} and fanOut {fanOut} must be positive.");
        if (weights.Length != fanIn * fanOut)
            throw new ArgumentException($"Expected {fanIn * fanOut} weights ({fanOut} x {fanIn}), got {weights.Length}.", nameof(weights));
        Fill(weights, biases, fanIn, fanOut, init, activation, seed, layer);
    }

    /// <summary>
    /// Fills a convolution's <paramref name="weights"/> (<c>filters × inChannels × kernelArea</c> floats,
    /// <c>[filters][inChannels][k]</c> or <c>[filters][inChannels][k][k]</c>) with <paramref name="init"/> and
    /// <paramref name="biases"/> with zeros, with PyTorch's fans: fan-in = <c>inChannels × kernelArea</c>, fan-out =
    /// <c>filters × kernelArea</c> (<c>torch.nn.init._calculate_fan_in_and_fan_out</c>). The random stream is
    /// <c>new DeterministicRandom(seed, layer)</c>, as for Dense layers.
    /// </summary>
    public static void InitializeConvolution(
        Span<float> weights, Span<float> biases, int inChannels, int filters, int kernelArea, Init init, Activation activation, int seed, int layer)
    {
        if (inChannels <= 0 || filters <= 0 || kernelArea <= 0)
            throw new ArgumentOutOfRangeException(nameof(inChannels), $"inChannels {inChannels}, filters {filters} and kernelArea {kernelArea} must be positive.");
        if (weights.Length != filters * inChannels * kernelArea)
            throw new ArgumentException($"Expected {filters * inChannels * kernelArea} weights ({filters} x {inChannels} x {kernelArea}), got {weights.Length}.", nameof(weights));
        if (biases.Length != filters)
            throw new ArgumentException($"Expected {filters} biases (one per filter), got {biases.Length}.", nameof(biases));
        Fill(weights, biases, inChannels * kernelArea, filters * kernelArea, init, activation, seed, layer);
    }

    private static void Fill(Span<float> weights, Span<float> biases, int fanIn, int fanOut, Init init, Activation activation, int seed, int layer)
    {
        biases.Clear();
        var rng = new DeterministicRandom(seed, layer);
        double heGain = activation == Activation.LeakyReLU
            ? Math.Sqrt(2.0 / (1.0 + (double)Initializers.LeakyReLUSlope * Initializers.LeakyReLUSlope))
            : Math.Sqrt(2.0);
        switch (Initializers.Resolve(init, activation))
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
