using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Backprop.Generated.CompilerServices;
using static Backprop.Generated.Tests.Kernels.KernelTestData;

namespace Backprop.Generated.Tests.Kernels;

/// <summary>
/// The batch kernels, written once over the SIMD width, give the same bits as the kernels written out per width
/// before (<see cref="BatchKernelsBefore"/>) on whichever path this process takes: run under the default settings
/// (Vector512 where the CPU has AVX-512), <c>DOTNET_EnableAVX512F=0 DOTNET_EnableAVX512=0</c> (Vector256; .NET 10
/// reads the second, .NET 8 the first) and
/// <c>DOTNET_EnableHWIntrinsic=0</c> (the plain loops). Every pair of m and n from
/// {1, 7, 8, 16, 31, 32, 33, 64, 100, 128, 784} (tile and vector remainders of both widths), every activation and
/// derivative, and every sample count 1 to 32 of the weight gradient.
/// </summary>
public class BatchKernelBitTests
{
    private const int C = BatchKernels.Chunk;

    private static readonly int[] Sizes = { 1, 7, 8, 16, 31, 32, 33, 64, 100, 128, 784 };

    private readonly struct S1 : IConstantSize { public static int Value => 1; }
    private readonly struct S7 : IConstantSize { public static int Value => 7; }
    private readonly struct S8 : IConstantSize { public static int Value => 8; }
    private readonly struct S16 : IConstantSize { public static int Value => 16; }
    private readonly struct S31 : IConstantSize { public static int Value => 31; }
    private readonly struct S32 : IConstantSize { public static int Value => 32; }
    private readonly struct S33 : IConstantSize { public static int Value => 33; }
    private readonly struct S64 : IConstantSize { public static int Value => 64; }
    private readonly struct S100 : IConstantSize { public static int Value => 100; }
    private readonly struct S128 : IConstantSize { public static int Value => 128; }
    private readonly struct S784 : IConstantSize { public static int Value => 784; }

    [Fact]
    public void The_path_under_test_is_the_one_the_environment_asks_for()
    {
        // a guard against a run that silently tests another path than it says (see the class summary)
        string? avx512 = Environment.GetEnvironmentVariable("DOTNET_EnableAVX512F");
        string? intrinsics = Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic");
        Assert.False(intrinsics == "0" && BatchKernels.IsAccelerated, "DOTNET_EnableHWIntrinsic=0, yet the batch kernels run on SIMD.");
        Assert.False(avx512 == "0" && Vector512.IsHardwareAccelerated,
            "DOTNET_EnableAVX512F=0, yet Vector512 is accelerated: from .NET 10 on, DOTNET_EnableAVX512=0 turns AVX-512 off.");
    }

    public static IEnumerable<object[]> OutputCounts() => Sizes.Select(m => new object[] { m });

    [Theory]
    [MemberData(nameof(OutputCounts))]
    public void ForwardChunk_gives_the_same_bits_as_the_per_width_kernels(int m)
    {
        Forward<S1>(m); Forward<S7>(m); Forward<S8>(m); Forward<S16>(m); Forward<S31>(m); Forward<S32>(m);
        Forward<S33>(m); Forward<S64>(m); Forward<S100>(m); Forward<S128>(m); Forward<S784>(m);
    }

    private static void Forward<TN>(int m) where TN : struct, IConstantSize
    {
        Forward<TN, LinearActivation>(m);
        Forward<TN, ReLUActivation>(m);
        Forward<TN, LeakyReLUActivation>(m);
    }

    private static void Forward<TN, TAct>(int m) where TN : struct, IConstantSize where TAct : struct, IFusedActivation
    {
        int n = TN.Value;
        Span<float> w = Random(m * n, m + 7 * n), b = Random(m, 2 + n), x = Random(n * C, 3 + n + m);
        Span<float> now = Random(m * C, 4), before = Random(m * C, 5);
        BatchKernels.ForwardChunk<TN, TAct>(w, b, m, x, now);
        BatchKernelsBefore.ForwardChunk<TN, TAct>(w, b, m, x, before);
        SameBits(before, now, $"ForwardChunk<{typeof(TAct).Name}> {m}×{n}");
    }

    [Theory]
    [MemberData(nameof(OutputCounts))]
    public void InputGradientChunk_gives_the_same_bits_as_the_per_width_kernels(int m)
    {
        foreach (int n in Sizes)
        {
            InputGradient<LinearActivation>(m, n);
            InputGradient<ReLUActivation>(m, n);
            InputGradient<LeakyReLUActivation>(m, n);
            InputGradient<TanhActivation>(m, n);
            InputGradient<SigmoidActivation>(m, n);
        }
    }

    private static void InputGradient<TD>(int m, int n) where TD : struct, IActivationDerivative
    {
        Span<float> w = Random(m * n, m + n), dz = Random(m * C, 8 + m), a = Random(n * C, 9 + n);
        Span<float> now = Random(n * C, 10), before = Random(n * C, 11);
        BatchKernels.InputGradientChunk<TD>(w, m, n, dz, a, now);
        BatchKernelsBefore.InputGradientChunk<TD>(w, m, n, dz, a, before);
        SameBits(before, now, $"InputGradientChunk<{typeof(TD).Name}> {m}×{n}");
    }

    [Theory]
    [MemberData(nameof(OutputCounts))]
    public void WeightGradientChunk_gives_the_same_bits_as_the_per_width_kernels(int m)
    {
        foreach (int n in Sizes)
        {
            Span<float> dz = Random(m * C, m + 3 * n), x = Random(C * n, n), gw = Random(m * n, 1), gb = Random(m, 2);
            float[] gw0 = gw.ToArray(), gb0 = gb.ToArray();
            for (int ns = 1; ns <= C; ns++)
            {
                // the generated code clears the columns past ns
                float[] dzs = dz.ToArray();
                for (int o = 0; o < m; o++) Array.Clear(dzs, o * C + ns, C - ns);
                float[] gwNow = (float[])gw0.Clone(), gbNow = (float[])gb0.Clone(), gwBefore = (float[])gw0.Clone(), gbBefore = (float[])gb0.Clone();
                BatchKernels.WeightGradientChunk(dzs, m, n, x.Slice(0, ns * n), ns, gwNow, gbNow);
                BatchKernelsBefore.WeightGradientChunk(dzs, m, n, x.Slice(0, ns * n), ns, gwBefore, gbBefore);
                SameBits(gwBefore, gwNow, $"WeightGradientChunk {m}×{n}, {ns} samples, weights");
                SameBits(gbBefore, gbNow, $"WeightGradientChunk {m}×{n}, {ns} samples, biases");
            }
        }
    }

    private static void SameBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        ReadOnlySpan<int> e = MemoryMarshal.Cast<float, int>(expected), a = MemoryMarshal.Cast<float, int>(actual);
        int at = 0;
        while (at < e.Length && e[at] == a[at]) at++;
        if (at == e.Length) at = -1;
        Assert.True(at < 0, at < 0 ? "" : $"{what}: element {at} is {actual[at]:R} (bits {a[at]:X8}), the per-width kernels give {expected[at]:R} (bits {e[at]:X8})");
    }
}
