using System.Reflection;
using Backprop.Generated;
using Backprop.Generated.CompilerServices;
using Backprop.Generated.Tests.Baked;

namespace Backprop.Generated.Tests;

/// <summary>ReLU into LeakyReLU, both unrolled (15 and 10 weights): the fused activations on lanes.</summary>
[Network(Loss.MeanSquaredError)]
[Input(3)]
[Dense(5, Activation.ReLU)]
[Dense(2, Activation.LeakyReLU)]
internal partial class LaneReluNet { }

/// <summary>A Linear hidden layer, a sigmoid one, a tanh output: inputs and outputs off the lane count (5 and 3).</summary>
[Network(Loss.MeanSquaredError)]
[Input(5)]
[Dense(6, Activation.Linear)]
[Dense(7, Activation.Sigmoid)]
[Dense(3, Activation.Tanh)]
internal partial class LaneMixedNet { }

/// <summary>A Linear output (the logits under cross-entropy) after a LeakyReLU layer.</summary>
[Network(Loss.CrossEntropy)]
[Input(7)]
[Dense(8, Activation.LeakyReLU)]
[Dense(4, Activation.Linear)]
internal partial class LaneLogitsNet { }

/// <summary>A single unrolled layer with a softmax: z on the lanes, the softmax per sample.</summary>
[Network(Loss.CrossEntropy)]
[Input(6)]
[Dense(5, Activation.Softmax)]
internal partial class LaneSoftmaxNet { }

/// <summary>
/// Forward on k samples of networks whose layers are all unrolled: eight samples at a time on Vector256 lanes
/// (LaneKernels, NetworkEmitter.Lanes.cs), every lane through the one-sample operations, so the outputs are bit-equal to
/// one-sample calls for every k; trainable and baked alike; nothing allocated; safe from several threads at once.
/// Run as they are and under DOTNET_EnableAVX512F=0 DOTNET_EnableAVX512=0 and DOTNET_EnableHWIntrinsic=0 (then Forward goes per sample, and
/// <see cref="The_lane_method_itself_is_bit_equal_to_one_sample_calls"/> runs the lanes in software).
/// </summary>
public class LaneForwardTests
{
    public static IEnumerable<object[]> Networks() => new[]
    {
        new object[] { "Tiny" }, new object[] { "Relu" }, new object[] { "Mixed" }, new object[] { "Logits" },
        new object[] { "Softmax" }, new object[] { "SmallTrainable" }, new object[] { "SmallBaked" },
    };

    private static IInferenceNetwork Create(string name) => name switch
    {
        "Tiny" => new TinyNet(5),
        "Relu" => WithBiases(new LaneReluNet(5)),
        "Mixed" => WithBiases(new LaneMixedNet(5)),
        "Logits" => WithBiases(new LaneLogitsNet(5)),
        "Softmax" => WithBiases(new LaneSoftmaxNet(5)),
        "SmallTrainable" => WithBiases(new SmallTrainable(5)),
        "SmallBaked" => new SmallBaked(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>Non-zero biases (they start at 0), so a bias in the wrong lane or unit shows.</summary>
    private static INetwork WithBiases(INetwork net)
    {
        var rng = new DeterministicRandom(3);
        Span<float> p = net.Parameters;
        for (int i = 0; i < p.Length; i++) p[i] += (float)(rng.NextDouble() - 0.5) * 0.5f;
        return net;
    }

    /// <summary>Inputs in [−3, 3], with exact zeros and negative zeros mixed in, starting at <paramref name="offset"/> of a longer array.</summary>
    private static float[] Inputs(IInferenceNetwork net, int k, int offset = 0)
    {
        var rng = new DeterministicRandom(11);
        float[] inputs = new float[offset + k * net.InputSize];
        for (int i = offset; i < inputs.Length; i++)
        {
            inputs[i] = (i % 13) switch
            {
                0 => 0f,
                7 => -0f,
                _ => (float)(rng.NextDouble() * 6 - 3),
            };
        }
        return inputs;
    }

    private static float[] OneAtATime(IInferenceNetwork net, ReadOnlySpan<float> inputs, int k)
    {
        float[] y = new float[k * net.OutputSize];
        for (int s = 0; s < k; s++)
        {
            net.Forward(inputs.Slice(s * net.InputSize, net.InputSize), y.AsSpan(s * net.OutputSize, net.OutputSize));
        }
        return y;
    }

    private static void AssertBitEqual(float[] expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}, output {i}: {actual[i]:R}, one sample at a time {expected[i]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Forward_on_1_to_67_samples_is_bit_equal_to_one_sample_calls(string name)
    {
        IInferenceNetwork net = Create(name);
        for (int k = 1; k <= 67; k++)
        {
            float[] inputs = Inputs(net, k);
            float[] outputs = new float[k * net.OutputSize];
            Array.Fill(outputs, float.NaN); // every output must be written
            net.Forward(inputs, outputs);
            AssertBitEqual(OneAtATime(net, inputs, k), outputs, $"{name}, k = {k}");

            float[] again = new float[k * net.OutputSize];
            net.Forward(inputs, again);
            AssertBitEqual(outputs, again, $"{name}, k = {k}, second call"); // same bits run to run
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Misaligned_spans_give_the_same_bits(string name)
    {
        IInferenceNetwork net = Create(name);
        const int k = 37;
        for (int offset = 1; offset <= 3; offset++)
        {
            float[] inputs = Inputs(net, k, offset);
            ReadOnlySpan<float> x = inputs.AsSpan(offset);
            float[] outputs = new float[offset + k * net.OutputSize];
            net.Forward(x, outputs.AsSpan(offset));
            AssertBitEqual(OneAtATime(net, x, k), outputs.AsSpan(offset), $"{name}, offset {offset}");
            Assert.All(outputs.AsSpan(0, offset).ToArray(), v => Assert.Equal(0f, v)); // nothing written before the span
        }
    }

    private delegate int LanesMethod(ReadOnlySpan<float> p, ReadOnlySpan<float> inputs, Span<float> outputs, int k);

    /// <summary>
    /// The generated ForwardLanes called directly, so the lanes are tested on every configuration (Forward skips them
    /// without SIMD hardware, where Vector256 runs in software): it does whole blocks of eight and those outputs are
    /// one-sample bits.
    /// </summary>
    [Theory]
    [MemberData(nameof(Networks))]
    public void The_lane_method_itself_is_bit_equal_to_one_sample_calls(string name)
    {
        IInferenceNetwork net = Create(name);
        MethodInfo method = net.GetType().GetMethod("ForwardLanes", BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{name} has no ForwardLanes");
        var lanes = method.CreateDelegate<LanesMethod>();
        float[] parameters = net switch
        {
            INetwork trainable => trainable.Parameters.ToArray(),
            _ => SmallBaked.Parameters.ToArray(),
        };
        foreach (int k in new[] { 3, 7, 8, 9, 16, 31, 67 })
        {
            float[] inputs = Inputs(net, k);
            float[] outputs = new float[k * net.OutputSize];
            Array.Fill(outputs, float.NaN);
            int done = lanes(parameters, inputs, outputs, k);
            Assert.Equal(k - k % LaneKernels.Lanes, done);
            AssertBitEqual(OneAtATime(net, inputs, done), outputs.AsSpan(0, done * net.OutputSize), $"{name}, k = {k}");
            Assert.All(outputs.AsSpan(done * net.OutputSize).ToArray(), v => Assert.True(float.IsNaN(v))); // the rest left to ForwardOne
        }
    }

    [Fact]
    public void Baked_Forward_on_many_samples_is_bit_identical_to_the_trainable_network_after_LoadWeights()
    {
        var baked = new SmallBaked();
        var trainable = new SmallTrainable(0);
        trainable.Parameters.Clear();
        SmallBaked.Parameters.CopyTo(trainable.Parameters);
        const int k = 67;
        float[] inputs = Inputs(baked, k);
        float[] a = new float[k * SmallBaked.OutputSize], b = new float[k * SmallBaked.OutputSize];
        baked.Forward(inputs, a);
        trainable.Forward(inputs, b);
        AssertBitEqual(b, a, "baked against trainable");
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Forward_on_many_samples_allocates_nothing(string name)
    {
        IInferenceNetwork net = Create(name);
        float[] inputs = Inputs(net, 67);
        float[] outputs = new float[67 * net.OutputSize];
        net.Forward(inputs, outputs);
        Assert.Equal(0, AllocationProbe.MinBytes(() =>
        {
            for (int i = 0; i < 5; i++) net.Forward(inputs, outputs);
        }));
    }

    [Fact]
    public void Concurrent_multi_sample_Forward_calls_agree_with_sequential_ones()
    {
        foreach (string name in new[] { "Tiny", "Mixed", "SmallBaked" })
        {
            IInferenceNetwork net = Create(name);
            const int k = 67;
            float[] inputs = Inputs(net, k);
            float[] expected = OneAtATime(net, inputs, k);
            Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            {
                int n = 1 + i % k; // every thread its own k, so blocks and tails interleave
                float[] y = new float[n * net.OutputSize];
                net.Forward(inputs.AsSpan(0, n * net.InputSize), y);
                AssertBitEqual(expected.AsSpan(0, n * net.OutputSize).ToArray(), y, $"{name}, k = {n}, under concurrency");
            });
        }
    }
}
