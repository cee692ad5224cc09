namespace Backprop.Generated.Tests;

public class ThreadSafetyTests
{
    /// <summary>Inference servers call single-sample Forward on one trained instance from many threads at once.</summary>
    [Fact]
    public void Concurrent_single_sample_Forward_calls_agree_with_sequential_ones()
    {
        var nets = new INetwork[] { new DigitsShapedNet(3), new MixedNet(3), new StagedNet(3), new DeepNet(3) };
        foreach (INetwork net in nets)
        {
            const int samples = 64;
            var rng = new DeterministicRandom(1);
            float[] inputs = new float[samples * net.InputSize];
            for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)rng.NextDouble();
            float[] expected = new float[samples * net.OutputSize];
            for (int s = 0; s < samples; s++)
            {
                net.Forward(inputs.AsSpan(s * net.InputSize, net.InputSize), expected.AsSpan(s * net.OutputSize, net.OutputSize));
            }

            float[] actual = new float[samples * net.OutputSize];
            Parallel.For(0, samples * 20, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            {
                int s = i % samples;
                Span<float> y = stackalloc float[net.OutputSize];
                net.Forward(inputs.AsSpan(s * net.InputSize, net.InputSize), y);
                if (i >= samples * 19) y.CopyTo(actual.AsSpan(s * net.OutputSize, net.OutputSize));
                Assert.True(y.SequenceEqual(expected.AsSpan(s * net.OutputSize, net.OutputSize)), $"{net.GetType().Name} sample {s} differs under concurrency");
            });
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>
    /// Batch Forward calls (the chunked path, from 8 samples on) from many threads at once: each thread has its own
    /// chunk buffer, so every call gives the bits a sequential call gives.
    /// </summary>
    [Fact]
    public void Concurrent_batch_Forward_calls_agree_with_sequential_ones()
    {
        var nets = new INetwork[] { new DigitsShapedNet(3), new DeepNet(3) };
        foreach (INetwork net in nets)
        {
            int[] batches = { 8, 33, 64, 100 };
            var rng = new DeterministicRandom(2);
            float[] inputs = new float[100 * net.InputSize];
            for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)rng.NextDouble();
            float[][] expected = batches.Select(k =>
            {
                float[] y = new float[k * net.OutputSize];
                net.Forward(inputs.AsSpan(0, k * net.InputSize), y);
                return y;
            }).ToArray();

            Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            {
                int b = i % batches.Length, k = batches[b];
                float[] y = new float[k * net.OutputSize];
                net.Forward(inputs.AsSpan(0, k * net.InputSize), y);
                Assert.True(y.AsSpan().SequenceEqual(expected[b]), $"{net.GetType().Name} batch of {k} differs under concurrency");
            });
        }
    }
}
