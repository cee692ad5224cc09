using Backprop.Generated;
using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests;

/// <summary>A sigmoid hidden layer (applied after the kernel) and a linear output: both looped.</summary>
[Network(Loss.MeanSquaredError)]
[Input(20)]
[Dense(40, Activation.Sigmoid)]
[Dense(24, Activation.Linear)]
internal partial class SigmoidLinearNet { }

/// <summary>A linear hidden layer and a tanh output, sizes off every vector width.</summary>
[Network(Loss.MeanSquaredError)]
[Input(33)]
[Dense(17, Activation.Linear)]
[Dense(9, Activation.Tanh)]
internal partial class LinearTanhNet { }

/// <summary>
/// Forward on k samples: below 8 it is k one-sample passes (bit-equal); from 8 on, chunks of 32 go through the batch
/// kernels and must equal one sample at a time within float rounding, the same bits run to run, with nothing
/// allocated once the thread's buffer exists.
/// </summary>
public class BatchForwardTests
{
    public static IEnumerable<object[]> Networks() => new[]
    {
        new object[] { "DigitsShaped" }, new object[] { "Deep" }, new object[] { "Mixed" },
        new object[] { "SigmoidLinear" }, new object[] { "LinearTanh" },
    };

    private static INetwork Create(string name) => name switch
    {
        "DigitsShaped" => new DigitsShapedNet(5),
        "Deep" => new DeepNet(5),
        "Mixed" => new MixedNet(5),
        "SigmoidLinear" => new SigmoidLinearNet(5),
        "LinearTanh" => new LinearTanhNet(5),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static float[] Inputs(INetwork net, int k)
    {
        var rng = new DeterministicRandom(11);
        float[] inputs = new float[k * net.InputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)(rng.NextDouble() * 2 - 1);
        return inputs;
    }

    private static float[] OneAtATime(INetwork net, float[] inputs, int k)
    {
        float[] y = new float[k * net.OutputSize];
        for (int s = 0; s < k; s++)
        {
            net.Forward(inputs.AsSpan(s * net.InputSize, net.InputSize), y.AsSpan(s * net.OutputSize, net.OutputSize));
        }
        return y;
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Below_eight_samples_Forward_is_bit_equal_to_one_sample_calls(string name)
    {
        INetwork net = Create(name);
        for (int k = 1; k < BatchKernels.MinSamples; k++)
        {
            float[] inputs = Inputs(net, k);
            float[] batch = new float[k * net.OutputSize];
            net.Forward(inputs, batch);
            Assert.Equal(OneAtATime(net, inputs, k), batch);
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void From_eight_samples_Forward_equals_one_sample_calls_within_rounding(string name)
    {
        INetwork net = Create(name);
        foreach (int k in new[] { 8, 9, 31, 32, 33, 39, 40, 64, 65, 257 })
        {
            float[] inputs = Inputs(net, k);
            float[] expected = OneAtATime(net, inputs, k);
            float[] batch = new float[k * net.OutputSize];
            Array.Fill(batch, float.NaN); // every output must be written
            net.Forward(inputs, batch);
            for (int i = 0; i < batch.Length; i++)
            {
                // the layers sum in another order: a few ulps of each layer's largest terms, carried through
                double tolerance = 2e-5 * Math.Max(1, Math.Abs(expected[i]));
                Assert.True(Math.Abs(batch[i] - expected[i]) <= tolerance,
                    $"{name}, k = {k}, output {i} (sample {i / net.OutputSize}): batch {batch[i]:R}, one at a time {expected[i]:R}");
            }

            float[] again = new float[k * net.OutputSize];
            net.Forward(inputs, again);
            Assert.Equal(batch, again); // same bits run to run
        }
    }

    [Fact]
    public void The_batch_path_is_taken_and_differs_in_rounding_only()
    {
        // Guards the test above against passing because the batch path never ran: on SIMD hardware at least one
        // output of a 64-sample deep batch differs in its last bits from the one-sample result.
        if (!BatchKernels.IsAccelerated) return;
        INetwork net = new DeepNet(5);
        float[] inputs = Inputs(net, 64);
        float[] batch = new float[64 * net.OutputSize];
        net.Forward(inputs, batch);
        Assert.NotEqual(OneAtATime(net, inputs, 64), batch);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Batch_Forward_allocates_nothing_after_the_first_call(string name)
    {
        INetwork net = Create(name);
        float[] inputs = Inputs(net, 100);
        float[] outputs = new float[100 * net.OutputSize];
        net.Forward(inputs, outputs);
        long least = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++) net.Forward(inputs, outputs);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, least);
    }
}
