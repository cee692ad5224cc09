using Backprop.Generated.CompilerServices;
using Backprop.Generated.Tests.Kernels;

namespace Backprop.Generated.Tests.Baked;

/// <summary>
/// Generated <c>Precision.Int8</c> convolutional networks: the constants are the runtime's quantization of the file's
/// weights, one row per filter; Forward equals, bit for bit, a reference composed here from the definition (the
/// scalar <see cref="Int8ConvReference"/>, float32 pooling, batch norm and activations, the int8 Dense layer), so the
/// AVX-512, AVX2 and scalar runs of CI agree with it and with each other; batches give the bits of one sample at a
/// time; nothing is allocated; int8 stays close to the float32 baked twin.
/// </summary>
public class Int8ConvNetworkTests
{
    private static float[] Inputs(int count, int seed, bool signed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(signed ? random.NextDouble() * 2 - 1 : random.NextDouble())).ToArray();
    }

    /// <summary>One Dense layer from the definition, scalar: quantize, integer sums, the rescale rule (Int8RescaleReference).</summary>
    private static float[] ReferenceDense(ReadOnlySpan<sbyte> q, ReadOnlySpan<float> scales, ReadOnlySpan<float> bias, int m, int n, float[] x)
    {
        float maxAbs = Int8Quantization.MaxAbs(x);
        float sx = Int8Quantization.InputScale(maxAbs), inverse = Int8Quantization.InputInverseScale(maxAbs);
        var y = new float[m];
        for (int o = 0; o < m; o++)
        {
            long sum = 0;
            for (int i = 0; i < n; i++) sum += Int8Quantization.Quantize(x[i], inverse) * q[o * n + i];
            y[o] = Int8RescaleReference.Rescale(sum, sx, scales[o], bias[o], n);
        }
        return y;
    }

    private static float[] Pool(PoolShape shape, float[] x, bool max)
    {
        var y = new float[shape.OutputSize];
        if (max) PoolKernels.MaxForward(shape, x, y, 1);
        else PoolKernels.AverageForward(shape, x, y, 1);
        return y;
    }

    private static float[] Softmax(float[] z)
    {
        var e = new float[z.Length];
        CompilerServices.Softmax.Apply(z, e);
        return e;
    }

    private static float[] FashionReference(float[] x)
    {
        ReadOnlySpan<sbyte> q = FashionCnnInt8.QuantizedWeights;
        ReadOnlySpan<float> s = FashionCnnInt8.WeightScales, p = FashionCnnInt8.Parameters;
        float[] h = Int8ConvReference.Forward(ConvShape.TwoD(1, 28, 28, 16, 5, 1, 2, 1), q[..400], s[..16], p[..16], x, relu: true);
        h = Pool(new PoolShape(16, 28, 28, 2, 2), h, max: true);
        h = Int8ConvReference.Forward(ConvShape.TwoD(16, 14, 14, 32, 5, 1, 2, 1), q.Slice(400, 12800), s.Slice(16, 32), p.Slice(16, 32), h, relu: true);
        h = Pool(new PoolShape(32, 14, 14, 2, 2), h, max: true);
        return Softmax(ReferenceDense(q.Slice(13200, 15680), s.Slice(48, 10), p.Slice(48, 10), 10, 1568, h));
    }

    private static float[] SensorReference(float[] x)
    {
        ReadOnlySpan<sbyte> q = SensorInt8.QuantizedWeights;
        ReadOnlySpan<float> s = SensorInt8.WeightScales, p = SensorInt8.Parameters, st = SensorInt8.State;
        float[] h = Int8ConvReference.Forward(ConvShape.OneD(3, 64, 8, 5, 2, 2, 1), q[..120], s[..8], p[..8], x, relu: true); // 8×32
        h = Pool(new PoolShape(8, 1, 32, 1, 2), h, max: false); // 8×16
        h = Int8ConvReference.Forward(ConvShape.OneD(8, 16, 12, 3, 1, 0, 2), q.Slice(120, 288), s.Slice(8, 12), p.Slice(8, 12), h, relu: false); // 12×12
        for (int c = 0; c < 12; c++)
        {
            for (int j = c * 12; j < (c + 1) * 12; j++) h[j] = p[20 + c] * (h[j] - st[c]) / MathF.Sqrt(st[12 + c] + 1e-5f) + p[32 + c];
        }
        VectorMath.Tanh(h);
        h = Pool(new PoolShape(12, 1, 12, 1, 2), h, max: true); // 12×6
        h = Pool(new PoolShape(12, 1, 6, 1, 6), h, max: false); // 12
        return Softmax(ReferenceDense(q.Slice(408, 48), s.Slice(20, 4), p.Slice(44, 4), 4, 12, h));
    }

    [Fact]
    public void The_baked_int8_filters_are_the_runtime_quantization_of_the_float_weights()
    {
        ReadOnlySpan<float> f = FashionCnnBaked.Parameters;
        var q = new sbyte[FashionCnnInt8.QuantizedWeightCount];
        var s = new float[FashionCnnInt8.WeightScaleCount];
        // float layout: W0 [16×1×5×5], b0 [16], W1 [32×16×5×5], b1 [32], W2 [10×1568], b2 [10]
        Int8Quantization.QuantizeRows(f.Slice(0, 400), 16, 25, q.AsSpan(0, 400), s.AsSpan(0, 16));
        Int8Quantization.QuantizeRows(f.Slice(416, 12800), 32, 400, q.AsSpan(400, 12800), s.AsSpan(16, 32));
        Int8Quantization.QuantizeRows(f.Slice(13248, 15680), 10, 1568, q.AsSpan(13200, 15680), s.AsSpan(48, 10));
        Assert.True(FashionCnnInt8.QuantizedWeights.SequenceEqual(q));
        Assert.True(FashionCnnInt8.WeightScales.SequenceEqual(s));
        float[] biases = f.Slice(400, 16).ToArray().Concat(f.Slice(13216, 32).ToArray()).Concat(f.Slice(28928, 10).ToArray()).ToArray();
        Assert.True(FashionCnnInt8.Parameters.SequenceEqual(biases));
        Assert.Equal(28880 + 4 * (58 + 58), FashionCnnInt8.ParameterBytes);
        Assert.True(FashionCnnInt8.QuantizedWeightCount + 4 * FashionCnnInt8.WeightScaleCount <= 1.1 * 28880);
        Assert.Equal(SensorBaked.State.ToArray(), SensorInt8.State.ToArray());
        Assert.Equal(408 + 48 + 4 * (24 + 24 + 24 + 24), SensorInt8.ParameterBytes);
    }

    [Fact]
    public void FashionCnn_int8_forward_equals_the_reference_bit_for_bit()
    {
        var net = new FashionCnnInt8();
        var y = new float[10];
        for (int k = 0; k < 6; k++)
        {
            float[] x = Inputs(784, 100 + k, signed: k % 2 == 1); // images are unsigned; signed samples take the negative patches too
            net.Forward(x, y);
            Assert.Equal(FashionReference(x), y);
        }
    }

    [Fact]
    public void SensorNet_like_int8_forward_equals_the_reference_bit_for_bit()
    {
        var net = new SensorInt8();
        var y = new float[4];
        for (int k = 0; k < 6; k++)
        {
            float[] x = Inputs(192, 200 + k, signed: true);
            net.Forward(x, y);
            Assert.Equal(SensorReference(x), y);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(16)]
    [InlineData(37)]
    public void A_batch_gives_the_bits_of_one_sample_at_a_time(int k)
    {
        Check(new FashionCnnInt8(), 784, 10, Inputs(784 * k, k, signed: false), k);
        Check(new SensorInt8(), 192, 4, Inputs(192 * k, k + 1, signed: true), k);

        static void Check(IInferenceNetwork net, int n, int m, float[] inputs, int k)
        {
            var batch = new float[m * k];
            net.Forward(inputs, batch);
            var one = new float[m];
            for (int s = 0; s < k; s++)
            {
                net.Forward(inputs.AsSpan(s * n, n), one);
                Assert.Equal(one, batch[(s * m)..((s + 1) * m)]);
            }
        }
    }

    [Fact]
    public void Int8_stays_close_to_the_float32_baked_network()
    {
        Close(new FashionCnnBaked(), new FashionCnnInt8(), Inputs(784 * 20, 7, signed: false), 10);
        Close(new SensorBaked(), new SensorInt8(), Inputs(192 * 20, 8, signed: true), 4);

        static void Close(IInferenceNetwork float32, IInferenceNetwork int8, float[] inputs, int m)
        {
            var a = new float[inputs.Length / float32.InputSize * m];
            var b = new float[a.Length];
            float32.Forward(inputs, a);
            int8.Forward(inputs, b);
            double largest = Enumerable.Range(0, a.Length).Max(i => Math.Abs(a[i] - b[i]));
            Assert.True(largest < 0.02, $"{int8.GetType().Name}: largest probability difference {largest}");
            Assert.True(largest > 0, "int8 should not be float32 exactly");
        }
    }

    [Fact]
    public void Forward_allocates_nothing()
    {
        var fashion = new FashionCnnInt8();
        var sensor = new SensorInt8();
        float[] images = Inputs(784 * 20, 5, signed: false), signals = Inputs(192 * 20, 6, signed: true);
        var y = new float[10 * 20];
        var z = new float[4 * 20];
        fashion.Forward(images, y); // a thread's first calls make its scratch
        fashion.Forward(images.AsSpan(0, 784), y.AsSpan(0, 10));
        sensor.Forward(signals, z);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int r = 0; r < 5; r++)
        {
            fashion.Forward(images.AsSpan(0, 784), y.AsSpan(0, 10));
            fashion.Forward(images, y);
            sensor.Forward(signals.AsSpan(0, 192), z.AsSpan(0, 4));
            sensor.Forward(signals, z);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
