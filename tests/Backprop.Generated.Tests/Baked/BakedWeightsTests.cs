using System.Reflection;
using Backprop.Generated;
using Backprop.Generated.Tests.Weights;

namespace Backprop.Generated.Tests.Baked;

/// <summary>
/// Networks with baked weights (<c>[Network(Weights = "file")]</c>, the file a <c>BakedWeights</c> item of this
/// project): same outputs, bit for bit, as the trainable network after LoadWeights of the same file; no allocation;
/// inference-only surface.
/// </summary>
public class BakedWeightsTests
{
    private static string Committed(string file) => Path.Combine(AppContext.BaseDirectory, "baked", file);

    public static TheoryData<string> Files => new(BakedRecipes.Files);

    private static (INetwork Trainable, IInferenceNetwork Baked) Pair(string file)
    {
        (INetwork trainable, IInferenceNetwork baked) = file switch
        {
            "baked_small.safetensors" => ((INetwork)new SmallTrainable(0), (IInferenceNetwork)new SmallBaked()),
            "baked_digits.safetensors" => (new DigitsTrainable(0), new DigitsBaked()),
            "baked_staged.safetensors" => (new StagedTrainable(0), new StagedBaked()),
            "baked_sensor.safetensors" => (new SensorTrainable(0), new SensorBaked()),
            _ => throw new ArgumentOutOfRangeException(nameof(file), file, null),
        };
        trainable.LoadWeights(Committed(file));
        return (trainable, baked);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Baked_forward_is_bit_identical_to_the_trainable_network_after_LoadWeights(string file)
    {
        (INetwork trainable, IInferenceNetwork baked) = Pair(file);
        const int k = 257;
        var inputs = new float[k * trainable.InputSize];
        uint state = 99;
        for (int i = 0; i < inputs.Length; i++) inputs[i] = BakedRecipes.Next(ref state) * 8f - 4f;
        inputs[0] = 0f;
        inputs[1] = -0f;
        var expected = new float[k * trainable.OutputSize];
        var actual = new float[k * trainable.OutputSize];
        trainable.Forward(inputs, expected);
        baked.Forward(inputs, actual);
        Assert.Equal(trainable.InputSize, baked.InputSize);
        Assert.Equal(trainable.OutputSize, baked.OutputSize);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"output {i}: trainable {expected[i]:R}, baked {actual[i]:R}");
        }
        // And sample by sample, as a device would call it (the one-sample path: bit-identical between the two as well).
        var one = new float[trainable.OutputSize];
        var oneTrainable = new float[trainable.OutputSize];
        for (int s = 0; s < k; s += 17)
        {
            baked.Forward(inputs.AsSpan(s * trainable.InputSize, trainable.InputSize), one);
            trainable.Forward(inputs.AsSpan(s * trainable.InputSize, trainable.InputSize), oneTrainable);
            Assert.Equal(oneTrainable, one);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Baked_parameters_are_the_files_values_in_the_trainable_layout(string file)
    {
        (INetwork trainable, _) = Pair(file);
        (float[] parameters, float[] state) = file switch
        {
            "baked_small.safetensors" => (SmallBaked.Parameters.ToArray(), Array.Empty<float>()),
            "baked_digits.safetensors" => (DigitsBaked.Parameters.ToArray(), Array.Empty<float>()),
            "baked_sensor.safetensors" => (SensorBaked.Parameters.ToArray(), SensorBaked.State.ToArray()),
            _ => (StagedBaked.Parameters.ToArray(), StagedBaked.State.ToArray()),
        };
        Assert.Equal(trainable.Parameters.ToArray().Select(BitConverter.SingleToInt32Bits), parameters.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(trainable.State.ToArray(), state);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Committed_files_are_what_the_recipe_makes(string file)
    {
        // Training sums in SIMD order, whose width (Vector512, Vector256, scalar) depends on the CPU, so the recipe is
        // reproduced to float rounding rather than to the bit on every machine.
        INetwork made = BakedRecipes.Make(file);
        INetwork committed = BakedRecipes.Fresh(file);
        committed.LoadWeights(Committed(file));
        AssertClose(made.Parameters.ToArray(), committed.Parameters.ToArray(), file);
        AssertClose(made.State.ToArray(), committed.State.ToArray(), file);
    }

    private static void AssertClose(float[] expected, float[] actual, string file)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * Math.Max(1f, Math.Abs(expected[i])),
                $"{file}[{i}]: recipe {expected[i]:R}, committed {actual[i]:R}");
        }
    }

    [Fact]
    public void Typed_buffers_run_inference_without_arrays()
    {
        var net = new DigitsBaked();
        DigitsBaked.Input x = default;
        for (int i = 0; i < DigitsBaked.InputSize; i++) x[i] = (i % 17) / 16f;
        net.Forward(in x, out DigitsBaked.Output y);

        var expected = new float[DigitsBaked.OutputSize];
        net.Forward(((ReadOnlySpan<float>)x).ToArray(), expected);
        Assert.Equal(expected, ((ReadOnlySpan<float>)y).ToArray());
        Assert.Equal(DigitsBaked.InputSize * sizeof(float), System.Runtime.CompilerServices.Unsafe.SizeOf<DigitsBaked.Input>());
        Assert.Equal(DigitsBaked.OutputSize * sizeof(float), System.Runtime.CompilerServices.Unsafe.SizeOf<DigitsBaked.Output>());

        // Trainable networks have them too.
        var trainable = new DigitsTrainable(0);
        trainable.Parameters.Clear();
        DigitsTrainable.Input tx = default;
        trainable.Forward(in tx, out DigitsTrainable.Output ty);
        Assert.Equal(0.1f, ty[3]); // all logits 0: a uniform softmax
    }

    [Fact]
    public void Baked_forward_allocates_nothing()
    {
        var net = new DigitsBaked();
        var staged = new StagedBaked();
        var inputs = new float[3 * DigitsBaked.InputSize];
        var outputs = new float[3 * DigitsBaked.OutputSize];
        var stagedIn = new float[StagedBaked.InputSize];
        var stagedOut = new float[StagedBaked.OutputSize];
        DigitsBaked.Input x = default;
        for (int i = 0; i < 50; i++)
        {
            net.Forward(inputs, outputs);
            net.Forward(in x, out _);
            staged.Forward(stagedIn, stagedOut);
        }
        Assert.Equal(0, AllocationProbe.MinBytes(() =>
        {
            for (int i = 0; i < 5_000; i++)
            {
                net.Forward(inputs, outputs);
                net.Forward(in x, out _);
                staged.Forward(stagedIn, stagedOut);
                _ = DigitsBaked.Parameters[i % DigitsBaked.ParameterCount];
            }
        }));
    }

    [Fact]
    public void Baked_networks_are_inference_only()
    {
        Assert.True(typeof(IInferenceNetwork).IsAssignableFrom(typeof(DigitsBaked)));
        Assert.False(typeof(INetwork).IsAssignableFrom(typeof(DigitsBaked)));
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        // No per-instance storage at all: the weights are data in the assembly.
        Assert.Empty(typeof(DigitsBaked).GetFields(all));
        Assert.Empty(typeof(StagedBaked).GetFields(all));
        Assert.Null(typeof(DigitsBaked).GetMethod("Backward"));
        Assert.Null(typeof(DigitsBaked).GetProperty("Gradients"));
        Assert.Equal(4 * DigitsBaked.ParameterCount, DigitsBaked.ParameterBytes);
        Assert.Equal(4 * (StagedBaked.ParameterCount + StagedBaked.StateCount), StagedBaked.ParameterBytes);
        Assert.Equal(4 * (StagedTrainable.ParameterCount + StagedTrainable.StateCount), StagedTrainable.ParameterBytes);
        Assert.Equal("baked_digits.safetensors", DigitsBaked.BakedWeightsFile);
        Assert.Equal(DigitsTrainable.ScratchSize, DigitsBaked.ScratchSize);
    }

    [Fact]
    public void Baked_weights_are_assembly_data_not_a_static_array()
    {
        // C# compiles `static ReadOnlySpan<float> P => new float[] { constants }` to a span over the assembly's data
        // (RuntimeHelpers.CreateSpan): no static field of type float[] and no allocation when read.
        FieldInfo[] statics = typeof(DigitsBaked).GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic);
        Assert.DoesNotContain(statics, f => f.FieldType == typeof(float[]));
        float sum = 0;
        Assert.Equal(0, AllocationProbe.MinBytes(() => { for (int i = 0; i < 100; i++) sum += DigitsBaked.Parameters[i]; }));
        Assert.True(float.IsFinite(sum));
    }
}
