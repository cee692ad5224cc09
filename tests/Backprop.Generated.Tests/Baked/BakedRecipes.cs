using Backprop.Generated;

namespace Backprop.Generated.Tests.Baked;

/// <summary>
/// How the committed baked-weights files were made: each trainable network initialized from a seed, then trained a
/// few SGD steps on fixed pseudo-random data (so weights, biases and batch-norm statistics are all non-trivial), then
/// saved with SaveWeights. A test checks the committed files still equal what this makes.
/// </summary>
public static class BakedRecipes
{
    public static readonly string[] Files = { "baked_small.safetensors", "baked_digits.safetensors", "baked_staged.safetensors", "baked_sensor.safetensors" };

    public static INetwork Make(string file) => Train(Fresh(file), steps: 20);

    /// <summary>The untrained network a file's recipe starts from.</summary>
    public static INetwork Fresh(string file) => file switch
    {
        "baked_small.safetensors" => new SmallTrainable(11),
        "baked_digits.safetensors" => new DigitsTrainable(12),
        "baked_staged.safetensors" => new StagedTrainable(13),
        "baked_sensor.safetensors" => new SensorTrainable(14),
        "baked_chain.safetensors" => new ChainTrainable(15),
        _ => throw new ArgumentOutOfRangeException(nameof(file), file, null),
    };

    private static INetwork Train(INetwork network, int steps)
    {
        const int k = 8;
        var x = new float[k * network.InputSize];
        var t = new float[k * network.OutputSize];
        var sgd = new Sgd(0.05f);
        uint state = 2463534242;
        for (int step = 0; step < steps; step++)
        {
            for (int i = 0; i < x.Length; i++) x[i] = Next(ref state) * 2f - 1f;
            Array.Clear(t);
            for (int s = 0; s < k; s++) t[s * network.OutputSize + (int)(Next(ref state) * network.OutputSize) % network.OutputSize] = 1f;
            network.ZeroGradients();
            network.Backward(x, t);
            sgd.Step(network);
        }
        return network;
    }

    /// <summary>xorshift32 in [0, 1): the data must not depend on System.Random's implementation.</summary>
    public static float Next(ref uint state)
    {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return (state >> 8) * (1f / (1 << 24));
    }
}
