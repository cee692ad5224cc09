using Backprop.Generated.CompilerServices;
using Backprop.Generated.Tests.Kernels;

namespace Backprop.Generated.Tests.Baked;

/// <summary>
/// Generated <c>Precision.Int8</c> networks: the generator's constants are the runtime's quantization of the file's
/// weights; Forward equals, bit for bit, a scalar reference written here from the definition (so the AVX-512, AVX2 and
/// scalar runs of CI all agree with it, and with each other); batches give the bits of one sample at a time; nothing is
/// allocated; the Digits twin keeps its accuracy.
/// </summary>
public class Int8NetworkTests
{
    [Fact]
    public void The_baked_int8_weights_are_the_runtime_quantization_of_the_float_weights()
    {
        ReadOnlySpan<float> p = DigitsBaked.Parameters;
        var q = new sbyte[DigitsInt8.QuantizedWeightCount];
        var s = new float[DigitsInt8.WeightScaleCount];
        Int8Quantization.QuantizeRows(p.Slice(0, 32 * 64), 32, 64, q.AsSpan(0, 2048), s.AsSpan(0, 32));
        Int8Quantization.QuantizeRows(p.Slice(32 * 64 + 32, 10 * 32), 10, 32, q.AsSpan(2048, 320), s.AsSpan(32, 10));
        Assert.True(DigitsInt8.QuantizedWeights.SequenceEqual(q));
        Assert.True(DigitsInt8.WeightScales.SequenceEqual(s));
        float[] biases = p.Slice(2048, 32).ToArray().Concat(p.Slice(2048 + 32 + 320, 10).ToArray()).ToArray();
        Assert.True(DigitsInt8.Parameters.SequenceEqual(biases));
        Assert.Equal(2368 + 4 * (42 + 42), DigitsInt8.ParameterBytes);
        Assert.True(DigitsInt8.QuantizedWeightCount + 4 * DigitsInt8.WeightScaleCount <= 1.1 * (DigitsBaked.ParameterBytes - 4 * 42) / 4);
    }

    /// <summary>One Dense layer from the definition, scalar: quantize, integer sums, the rescale rule (Int8RescaleReference).</summary>
    private static float[] ReferenceDense(ReadOnlySpan<sbyte> q, ReadOnlySpan<float> scales, ReadOnlySpan<float> bias, int m, int n, float[] x)
    {
        float sx = Int8Quantization.InputScale(Int8Quantization.MaxAbs(x));
        float inverse = Int8Quantization.InputInverseScale(Int8Quantization.MaxAbs(x));
        var y = new float[m];
        for (int o = 0; o < m; o++)
        {
            long sum = 0;
            for (int i = 0; i < n; i++) sum += Int8Quantization.Quantize(x[i], inverse) * q[o * n + i];
            y[o] = Int8RescaleReference.Rescale(sum, sx, scales[o], bias[o], n);
        }
        return y;
    }

    private static float[] ReferenceSoftmax(float[] z)
    {
        var e = new float[z.Length];
        Softmax.Apply(z, e);
        return e;
    }

    private static float[] RandomInputs(int count, int seed, bool signed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(signed ? random.NextDouble() * 2 - 1 : random.NextDouble())).ToArray();
    }

    [Fact]
    public void Digits_int8_forward_equals_the_scalar_reference_bit_for_bit()
    {
        var net = new DigitsInt8();
        float[] inputs = RandomInputs(64 * 40, 1, signed: false);
        var outputs = new float[10];
        for (int s = 0; s < 40; s++)
        {
            float[] x = inputs[(s * 64)..((s + 1) * 64)];
            float[] h = ReferenceDense(DigitsInt8.QuantizedWeights[..2048], DigitsInt8.WeightScales[..32], DigitsInt8.Parameters[..32], 32, 64, x)
                .Select(v => Math.Max(v, 0f)).ToArray();
            float[] expected = ReferenceSoftmax(ReferenceDense(DigitsInt8.QuantizedWeights[2048..], DigitsInt8.WeightScales[32..], DigitsInt8.Parameters[32..], 10, 32, h));
            net.Forward(x, outputs);
            Assert.Equal(expected, outputs);
        }
    }

    [Fact]
    public void Small_int8_forward_with_signed_inputs_equals_the_scalar_reference_bit_for_bit()
    {
        var net = new SmallInt8();
        float[] inputs = RandomInputs(4 * 30, 2, signed: true);
        var outputs = new float[3];
        for (int s = 0; s < 30; s++)
        {
            float[] x = inputs[(s * 4)..((s + 1) * 4)];
            float[] h = ReferenceDense(SmallInt8.QuantizedWeights[..32], SmallInt8.WeightScales[..8], SmallInt8.Parameters[..8], 8, 4, x);
            VectorMath.Tanh(h);
            float[] expected = ReferenceSoftmax(ReferenceDense(SmallInt8.QuantizedWeights[32..], SmallInt8.WeightScales[8..], SmallInt8.Parameters[8..], 3, 8, h));
            net.Forward(x, outputs);
            Assert.Equal(expected, outputs);
        }
    }

    [Fact]
    public void Chain_int8_constants_are_the_runtime_quantization_of_the_committed_file()
    {
        // the committed file is what the recipe makes (to float rounding: training sums in SIMD order)
        INetwork made = BakedRecipes.Make("baked_chain.safetensors");
        INetwork file = BakedRecipes.Fresh("baked_chain.safetensors");
        file.LoadWeights(Path.Combine(AppContext.BaseDirectory, "baked", "baked_chain.safetensors"));
        float[] a = made.Parameters.ToArray(), b = file.Parameters.ToArray();
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) <= 1e-5f * Math.Max(1f, Math.Abs(a[i])), $"[{i}]: recipe {a[i]:R}, committed {b[i]:R}");

        ReadOnlySpan<float> p = b;
        var q = new sbyte[ChainInt8.QuantizedWeightCount];
        var s = new float[ChainInt8.WeightScaleCount];
        var biases = new List<float>();
        int at = 0, qAt = 0, sAt = 0;
        foreach ((int m, int n) in ChainLayers)
        {
            Int8Quantization.QuantizeRows(p.Slice(at, m * n), m, n, q.AsSpan(qAt, m * n), s.AsSpan(sAt, m));
            biases.AddRange(p.Slice(at + m * n, m).ToArray());
            at += m * n + m;
            qAt += m * n;
            sAt += m;
        }
        Assert.Equal(p.Length, at);
        Assert.True(ChainInt8.QuantizedWeights.SequenceEqual(q));
        Assert.True(ChainInt8.WeightScales.SequenceEqual(s));
        Assert.True(ChainInt8.Parameters.SequenceEqual(biases.ToArray()));
    }

    private static readonly (int M, int N)[] ChainLayers = { (32, 64), (32, 32), (16, 32), (10, 16) };

    [Fact]
    public void Chain_int8_forward_with_signed_inputs_equals_the_scalar_reference_bit_for_bit()
    {
        // Four Dense layers, each hidden one handing its quantized outputs to the next (DenseForwardToNext, then
        // DenseQuantizedToNext twice, then DenseQuantized); inputs of both signs (the sign-flip products of rows of 64),
        // then non-negative ones, an all-zero sample and tiny ones around Int8Quantization.SmallestInputMaxAbs.
        var net = new ChainInt8();
        float[] signed = RandomInputs(64 * 40, 6, signed: true);
        float[] positive = RandomInputs(64 * 10, 7, signed: false);
        var samples = new List<float[]>();
        for (int k = 0; k < 40; k++) samples.Add(signed[(k * 64)..((k + 1) * 64)]);
        for (int k = 0; k < 10; k++) samples.Add(positive[(k * 64)..((k + 1) * 64)]);
        samples.Add(new float[64]);
        foreach (float tiny in new[] { MathF.BitDecrement(Int8Quantization.SmallestInputMaxAbs), Int8Quantization.SmallestInputMaxAbs, 1e-36f })
        {
            samples.Add(signed[..64].Select(v => v * tiny).ToArray());
        }
        var outputs = new float[10];
        ReadOnlySpan<sbyte> wq = ChainInt8.QuantizedWeights;
        ReadOnlySpan<float> ws = ChainInt8.WeightScales, bs = ChainInt8.Parameters;
        foreach (float[] x in samples)
        {
            float[] h = x;
            int qAt = 0, sAt = 0;
            for (int l = 0; l < ChainLayers.Length; l++)
            {
                (int m, int n) = ChainLayers[l];
                h = ReferenceDense(wq.Slice(qAt, m * n), ws.Slice(sAt, m), bs.Slice(sAt, m), m, n, h);
                if (l == 0) h = h.Select(v => Math.Max(v, 0f)).ToArray();
                qAt += m * n;
                sAt += m;
            }
            float[] expected = ReferenceSoftmax(h);
            net.Forward(x, outputs);
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), outputs.Select(BitConverter.SingleToInt32Bits));
        }

        // and a batch (the tiles, not the one-sample hand-off) gives the same bits
        float[] all = samples.SelectMany(v => v).ToArray();
        var batch = new float[10 * samples.Count];
        net.Forward(all, batch);
        for (int k = 0; k < samples.Count; k++)
        {
            net.Forward(samples[k], outputs);
            Assert.Equal(outputs.Select(BitConverter.SingleToInt32Bits), batch[(k * 10)..((k + 1) * 10)].Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(16)]
    [InlineData(37)]
    public void A_batch_gives_the_bits_of_one_sample_at_a_time(int k)
    {
        float[] inputs = RandomInputs(64 * k, k, signed: k % 2 == 1);
        var batch = new float[10 * k];
        var net = new DigitsInt8();
        net.Forward(inputs, batch);
        var one = new float[10];
        for (int s = 0; s < k; s++)
        {
            net.Forward(inputs.AsSpan(s * 64, 64), one);
            Assert.Equal(one, batch[(s * 10)..((s + 1) * 10)]);
        }

        float[] staged = RandomInputs(5 * k, k + 1, signed: true);
        var stagedBatch = new float[2 * k];
        var stagedNet = new StagedInt8();
        stagedNet.Forward(staged, stagedBatch);
        var two = new float[2];
        for (int s = 0; s < k; s++)
        {
            stagedNet.Forward(staged.AsSpan(s * 5, 5), two);
            Assert.Equal(two, stagedBatch[(s * 2)..((s + 1) * 2)]);
        }
    }

    [Fact]
    public void Staged_int8_stays_close_to_float32()
    {
        float[] inputs = RandomInputs(5 * 50, 3, signed: true);
        var a = new float[100];
        var b = new float[100];
        new StagedBaked().Forward(inputs, a);
        new StagedInt8().Forward(inputs, b);
        for (int i = 0; i < 100; i++) Assert.True(Math.Abs(a[i] - b[i]) < 0.05f, $"{i}: {a[i]} vs {b[i]}");
        Assert.Equal(StagedBaked.StateCount, StagedInt8.StateCount);
        Assert.True(StagedInt8.State.SequenceEqual(StagedBaked.State));
    }

    [Fact]
    public void Forward_allocates_nothing()
    {
        var net = new DigitsInt8();
        float[] inputs = RandomInputs(64 * 40, 5, signed: false);
        var outputs = new float[10 * 40];
        net.Forward(inputs, outputs); // a thread's first batch call makes its scratch
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int r = 0; r < 10; r++)
        {
            net.Forward(inputs.AsSpan(0, 64), outputs.AsSpan(0, 10));
            net.Forward(inputs, outputs);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
