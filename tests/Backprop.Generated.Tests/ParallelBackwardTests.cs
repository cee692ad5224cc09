using Backprop.Generated;
using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests;

/// <summary>
/// The batch path on several threads (<see cref="IParallelBackward.MaxDegreeOfParallelism"/>): the same loss and
/// gradients as one thread within float rounding, bit-identical from run to run, added to what Gradients held, and
/// allocation-free once warm.
/// </summary>
public class ParallelBackwardTests
{
    public static TheoryData<string, int, int> Cases()
    {
        var data = new TheoryData<string, int, int>();
        foreach (string name in new[] { nameof(DeepNet), nameof(DigitsShapedNet), nameof(BatchTanhLeakySigmoidNet), nameof(BatchThreeLayerNet), nameof(BatchSmallLargeSmallNet), nameof(BatchMseOnSoftmaxNet) })
        {
            foreach ((int k, int threads) in new[] { (64, 2), (70, 2), (100, 2), (263, 2), (100, 3), (263, 5) })
            {
                data.Add(name, k, threads);
            }
        }
        return data;
    }

    private static IParallelBackward Create(string name, int seed) => (IParallelBackward)BatchPathTests.Create(name, seed);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parallel_Backward_equals_one_thread_within_rounding(string name, int k, int threads)
    {
        IParallelBackward one = Create(name, 6), many = Create(name, 6);
        many.MaxDegreeOfParallelism = threads;
        (float[] x, float[] t) = BatchPathTests.Data(one, k, 40 + k);
        float lossOne = one.Backward(x, t);
        float lossMany = many.Backward(x, t);
        Assert.Equal(lossOne, lossMany, 1e-5 * Math.Max(1, Math.Abs(lossOne)));
        float scale = 0;
        foreach (float v in one.Gradients) scale = Math.Max(scale, Math.Abs(v));
        Assert.True(scale > 0, "no gradient at all");
        var failures = new List<string>();
        ReadOnlySpan<float> a = one.Gradients, b = many.Gradients;
        int differing = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i]) differing++;
            if (Math.Abs(a[i] - b[i]) > 1e-7 + 1e-5 * scale)
            {
                failures.Add($"parameter {i}: one thread {a[i]:R}, {threads} threads {b[i]:R}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {a.Length} gradients differ (scale {scale:G3}): " + string.Join("; ", failures.Take(8)));
        Assert.Equal(1, many.TrainingStep);
        if (name == nameof(DeepNet))
        {
            if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated || System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            {
                // 235,146 gradients summed in other groups: some must round differently, or the chunks never left one thread
                Assert.True(differing > 0, "bit-identical to one thread: the parallel path did not run");
            }
            else
            {
                // no SIMD (DOTNET_EnableHWIntrinsic=0): no batch path, so Backward goes per sample on the calling thread
                Assert.Equal(0, differing);
            }
        }
    }

    [Theory]
    [InlineData(nameof(DeepNet), 256, 2)]
    [InlineData(nameof(BatchTanhLeakySigmoidNet), 263, 3)]
    public void Parallel_Backward_is_bit_identical_run_to_run_and_adds_to_the_gradients(string name, int k, int threads)
    {
        IParallelBackward a = Create(name, 5), b = Create(name, 5);
        a.MaxDegreeOfParallelism = b.MaxDegreeOfParallelism = threads;
        (float[] x, float[] t) = BatchPathTests.Data(a, k, 2);
        for (int round = 0; round < 3; round++)
        {
            float la = a.Backward(x, t), lb = b.Backward(x, t);
            Assert.Equal(BitConverter.SingleToInt32Bits(la), BitConverter.SingleToInt32Bits(lb));
            Assert.True(a.Gradients.SequenceEqual(b.Gradients), $"round {round}: the gradients differ between two identical runs");
        }
        // Backward ADDS: three calls on the same batch hold three times one call's gradients (within rounding).
        IParallelBackward once = Create(name, 5);
        once.MaxDegreeOfParallelism = threads;
        once.Backward(x, t);
        ReadOnlySpan<float> g1 = once.Gradients, g3 = a.Gradients;
        for (int i = 0; i < g1.Length; i++)
        {
            Assert.True(Math.Abs(g3[i] - 3 * g1[i]) <= 1e-6 + 1e-5 * Math.Abs(3 * g1[i]), $"parameter {i}: {g3[i]:R} after three calls, {g1[i]:R} after one");
        }
    }

    [Fact]
    public void The_leftover_samples_after_the_chunks_are_done_on_the_calling_thread_too()
    {
        // 64 + 5 samples: two chunks on two workers, then 5 per-sample. Compared with the same net on one thread.
        IParallelBackward one = Create(nameof(DigitsShapedNet), 2), two = Create(nameof(DigitsShapedNet), 2);
        two.MaxDegreeOfParallelism = 2;
        (float[] x, float[] t) = BatchPathTests.Data(one, 69, 9);
        float l1 = one.Backward(x, t), l2 = two.Backward(x, t);
        Assert.Equal(l1, l2, 1e-5);
        Assert.Equal(one.Gradients.ToArray(), two.Gradients.ToArray(), (p, q) => Math.Abs(p - q) <= 1e-6 + 1e-5 * Math.Abs(p));
    }

    [Fact]
    public void Parallel_Backward_allocates_nothing_after_warm_up()
    {
        IParallelBackward net = Create(nameof(DeepNet), 1);
        net.MaxDegreeOfParallelism = 2;
        (float[] x, float[] t) = BatchPathTests.Data(net, 96, 3);
        for (int i = 0; i < 3; i++) net.Backward(x, t);
        Assert.Equal(0, AllocationProbe.MinBytes(() =>
        {
            for (int i = 0; i < 10; i++)
            {
                net.Backward(x, t);
                net.ZeroGradients();
            }
        }));
    }

    [Fact]
    public void MaxDegreeOfParallelism_rejects_values_outside_1_to_64()
    {
        IParallelBackward net = Create(nameof(DeepNet), 1);
        Assert.Equal(1, net.MaxDegreeOfParallelism);
        foreach (int bad in new[] { 0, -1, 65 })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => net.MaxDegreeOfParallelism = bad);
            Assert.Contains("1 to 64", e.Message);
        }
        net.MaxDegreeOfParallelism = 64;
        Assert.Equal(64, net.MaxDegreeOfParallelism);
    }

    [Fact]
    public void Two_networks_training_on_two_threads_at_once_each_get_their_own_answer()
    {
        // The worker threads are shared; calls from different threads take turns and must not mix their batches.
        IParallelBackward a = Create(nameof(DeepNet), 1), b = Create(nameof(DigitsShapedNet), 1);
        IParallelBackward a1 = Create(nameof(DeepNet), 1), b1 = Create(nameof(DigitsShapedNet), 1);
        a.MaxDegreeOfParallelism = b.MaxDegreeOfParallelism = 2;
        a1.MaxDegreeOfParallelism = b1.MaxDegreeOfParallelism = 2;
        (float[] xa, float[] ta) = BatchPathTests.Data(a, 128, 1);
        (float[] xb, float[] tb) = BatchPathTests.Data(b, 200, 2);
        for (int i = 0; i < 4; i++)
        {
            a1.Backward(xa, ta);
            b1.Backward(xb, tb);
        }
        Parallel.Invoke(
            () => { for (int i = 0; i < 4; i++) a.Backward(xa, ta); },
            () => { for (int i = 0; i < 4; i++) b.Backward(xb, tb); });
        Assert.True(a.Gradients.SequenceEqual(a1.Gradients));
        Assert.True(b.Gradients.SequenceEqual(b1.Gradients));
    }

    [Fact]
    public void Only_Dense_networks_with_a_batch_path_offer_it()
    {
        Assert.True(typeof(IParallelBackward).IsAssignableFrom(typeof(DeepNet)));
        Assert.False(typeof(IParallelBackward).IsAssignableFrom(typeof(TinyNet)));
        Assert.False(typeof(IParallelBackward).IsAssignableFrom(typeof(StagedNet)));
    }
}

/// <summary>
/// The worker threads' machinery allocates nothing between batches: each worker reads its own thread's allocation
/// counter at every call, so whatever runs on that thread between two calls (waking, waiting, blocking after a pause,
/// signalling) shows as a difference. (A whole-process counter would also count the test runner's threads.) The chunk
/// work itself is the code <see cref="ParallelBackwardTests.Parallel_Backward_allocates_nothing_after_warm_up"/>
/// measures on the calling thread.
/// </summary>
public class BatchWorkersTests
{
    [Fact]
    public void Worker_threads_allocate_nothing_between_calls_even_after_blocking()
    {
        const int workers = 3;
        long[] last = new long[workers];
        long[] growth = new long[workers];
        bool measuring = false;
        BatchWorkers.Work work = (inputs, targets, worker) =>
        {
            long now = GC.GetAllocatedBytesForCurrentThread();
            if (measuring) growth[worker] += now - last[worker];
            last[worker] = now;
            return inputs.Length + targets.Length + worker;
        };
        float[] x = new float[10], t = new float[3], results = new float[workers];
        for (int i = 0; i < 50; i++) BatchWorkers.Run(workers, x, t, work, results);
        Thread.Sleep(50); // blocked, not spinning, on the next call
        BatchWorkers.Run(workers, x, t, work, results);
        // Three rounds, each with a pause the workers block through; the smallest growth per worker over the rounds must
        // be 0 (an allocation per call, or per wake-up, shows in every round; a one-off runtime allocation in one only).
        long[] least = { long.MaxValue, long.MaxValue, long.MaxValue };
        for (int round = 0; round < 3; round++)
        {
            Array.Clear(growth);
            measuring = true;
            for (int i = 0; i < 100; i++)
            {
                BatchWorkers.Run(workers, x, t, work, results);
                if (i == 50) Thread.Sleep(30);
            }
            measuring = false;
            for (int w = 0; w < workers; w++) least[w] = Math.Min(least[w], growth[w]);
        }
        Assert.Equal(new float[] { 13, 14, 15 }, results);
        for (int w = 1; w < workers; w++) Assert.Equal(0, least[w]);
    }

    [Fact]
    public void A_worker_exception_reaches_the_caller_after_every_worker_finished()
    {
        int finished = 0;
        BatchWorkers.Work work = (inputs, targets, worker) =>
        {
            if (worker == 1) throw new InvalidOperationException("worker 1 failed");
            Thread.Sleep(20);
            Interlocked.Increment(ref finished);
            return 0;
        };
        var e = Assert.Throws<InvalidOperationException>(() => BatchWorkers.Run(3, new float[1], new float[1], work, new float[3]));
        Assert.Equal("worker 1 failed", e.Message);
        Assert.Equal(2, finished);
        // and the workers still work afterwards
        float[] results = new float[3];
        BatchWorkers.Run(3, new float[2], new float[1], (i, t, w) => w * 10 + i.Length, results);
        Assert.Equal(new float[] { 2, 12, 22 }, results);
    }

    [Fact]
    public void Run_rejects_worker_counts_outside_1_to_64_and_short_result_spans()
    {
        BatchWorkers.Work work = (i, t, w) => 0;
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchWorkers.Run(0, default, default, work, new float[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchWorkers.Run(65, default, default, work, new float[65]));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchWorkers.Run(3, default, default, work, new float[2]));
        Assert.Throws<ArgumentNullException>(() => BatchWorkers.Run(2, default, default, null!, new float[2]));
    }
}
