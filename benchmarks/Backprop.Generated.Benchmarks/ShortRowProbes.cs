using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Benchmarks;

/// <summary>
/// --short-row-probes: where the time of a 32×64 short-row product goes on this CPU (AVX-512 only): the sixteen
/// accumulators' multiply-adds alone (the rows summed vertically, a wrong result, for timing), the same with the
/// transposing add tree, and the tree with each level as one two-source shuffle + one blend instead of two shuffles.
/// </summary>
public static class ShortRowProbes
{
    public static void Run()
    {
        if (!Avx512F.IsSupported) { Console.WriteLine("no AVX-512"); return; }
        var (gflops, kind) = Peak.Measure(TimeSpan.FromSeconds(1));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak FMA: {gflops:F1} GFLOP/s ({kind}); 2,048 multiply-adds at that rate: {2 * 2048 / gflops:F1} ns"));
        var w = new AlignedFloats(2048 + 32);
        var x = new AlignedFloats(64);
        var y = new AlignedFloats(32);
        var rng = new Random(3);
        for (int i = 0; i < w.Span.Length; i++) w.Span[i] = (float)(rng.NextDouble() - 0.5);
        for (int i = 0; i < 64; i++) x.Span[i] = (float)(rng.NextDouble() - 0.5);
        var ops = new (string, Func<int, (double, double)>)[]
        {
            ("32×64 FMAs only (vertical sum)", ms => { var op = new Op(w, x, y, 0); return Latency.Time(ref op, ms); }),
            ("32×64 FMAs + shuffle tree (ShortRowKernels)", ms => { var op = new Op(w, x, y, 1); return Latency.Time(ref op, ms); }),
            ("32×64 FMAs + blend tree", ms => { var op = new Op(w, x, y, 2); return Latency.Time(ref op, ms); }),
        };
        foreach (var (_, t) in ops) t(200);
        foreach (var (_, t) in ops) t(100);
        foreach (var (name, t) in ops)
        {
            var (best, median) = t(500);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-50} {best,8:F1} {median,8:F1}"));
        }
        // the blend tree's bits against the shipped tree
        var a = new float[32];
        var b = new float[32];
        Kernel(w.Span, x.Span, a, 1);
        Kernel(w.Span, x.Span, b, 2);
        Console.WriteLine(a.AsSpan().SequenceEqual(b) ? "blend tree: same bits" : "blend tree: DIFFERENT bits");
    }

    private readonly struct Op(AlignedFloats w, AlignedFloats x, AlignedFloats y, int kind) : Latency.IOp
    {
        public void Run() => Kernel(w.Span, x.Span, y.Span, kind);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Kernel(Span<float> w, Span<float> x, Span<float> y, int kind)
    {
        ref float rw = ref MemoryMarshal.GetReference(w);
        ref float rx = ref MemoryMarshal.GetReference(x);
        for (int o = 0; o < 32; o += 16)
        {
            Vector512<float> z = kind switch
            {
                0 => Block(ref Unsafe.Add(ref rw, o * 64), ref rx, 0),
                1 => Block(ref Unsafe.Add(ref rw, o * 64), ref rx, 1),
                _ => Block(ref Unsafe.Add(ref rw, o * 64), ref rx, 2),
            };
            Vector512.Max(z, Vector512<float>.Zero).StoreUnsafe(ref MemoryMarshal.GetReference(y), (nuint)o);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Block(ref float w, ref float rx, int kind)
    {
        const int n = 64;
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        Vector512<float> s8 = default, s9 = default, s10 = default, s11 = default, s12 = default, s13 = default, s14 = default, s15 = default;
        for (int i = 0; i < n; i += 16)
        {
            Vector512<float> xv = Vector512.LoadUnsafe(ref rx, (nuint)i);
            ref float p = ref Unsafe.Add(ref w, i);
            s0 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p), xv, s0);
            p = ref Unsafe.Add(ref p, n); s1 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p), xv, s1);
            p = ref Unsafe.Add(ref p, n); s2 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p), xv, s2);
            p = ref Unsafe.Add(ref p, n); s3 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p), xv, s3);
            p = ref Unsafe.Add(ref p, n); s4 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p), xv, s4);
            p = ref Unsafe.Add(ref p, n); s5 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p), xv, s5);
            p = ref Unsafe.Add(ref p, n); s6 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p), xv, s6);
            p = ref Unsafe.Add(ref p, n); s7 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p), xv, s7);
            p = ref Unsafe.Add(ref p, n); s8 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p), xv, s8);
            p = ref Unsafe.Add(ref p, n); s9 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p), xv, s9);
            p = ref Unsafe.Add(ref p, n); s10 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p), xv, s10);
            p = ref Unsafe.Add(ref p, n); s11 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p), xv, s11);
            p = ref Unsafe.Add(ref p, n); s12 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p), xv, s12);
            p = ref Unsafe.Add(ref p, n); s13 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p), xv, s13);
            p = ref Unsafe.Add(ref p, n); s14 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p), xv, s14);
            p = ref Unsafe.Add(ref p, n); s15 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p), xv, s15);
        }
        if (kind == 0) return ((s0 + s1) + (s2 + s3) + ((s4 + s5) + (s6 + s7))) + ((s8 + s9) + (s10 + s11) + ((s12 + s13) + (s14 + s15)));
        if (kind == 1) return DenseKernels.Transpose16Sum(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15);
        return BlendTree(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15);
    }

    private static readonly Vector512<int> Upper256 = Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1);
    // quarters 1 and 3 from b
    private static readonly Vector512<int> OddQuarters = Vector512.Create(0, 0, 0, 0, -1, -1, -1, -1, 0, 0, 0, 0, -1, -1, -1, -1);
    // [a.q1, b.q0, a.q3, b.q2] (indices 16.. select b)
    private static readonly Vector512<int> SwapQuarters = Vector512.Create(4, 5, 6, 7, 16, 17, 18, 19, 12, 13, 14, 15, 24, 25, 26, 27);
    // lanes 2, 3 of each 128-bit lane from b
    private static readonly Vector512<int> HighPairs = Vector512.Create(0, 0, -1, -1, 0, 0, -1, -1, 0, 0, -1, -1, 0, 0, -1, -1);
    // odd lanes from b
    private static readonly Vector512<int> OddLanes = Vector512.Create(0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1);
    // [a1, b0, a3, b2] in each 128-bit lane
    private static readonly Vector512<int> SwapLanes = Vector512.Create(1, 16, 3, 18, 5, 20, 7, 22, 9, 24, 11, 26, 13, 28, 15, 30);

    /// <summary>Transpose16Sum's pairs, each level as blend + one shuffle + add; a final permute puts row j in lane j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> BlendTree(
        Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3, Vector512<float> s4, Vector512<float> s5, Vector512<float> s6, Vector512<float> s7,
        Vector512<float> s8, Vector512<float> s9, Vector512<float> s10, Vector512<float> s11, Vector512<float> s12, Vector512<float> s13, Vector512<float> s14, Vector512<float> s15)
    {
        Vector512<float> h0 = Halves(s0, s4), h1 = Halves(s8, s12), h2 = Halves(s1, s5), h3 = Halves(s9, s13);
        Vector512<float> h4 = Halves(s2, s6), h5 = Halves(s10, s14), h6 = Halves(s3, s7), h7 = Halves(s11, s15);
        // [A01, B01, A23, B23] (A01 = a.q0 + a.q1): quarters hold rows of (h0: 0,4 | h1: 8,12) in the order q0 q2 q1 q3 of the original
        Vector512<float> q0 = Quarters(h0, h1), q1 = Quarters(h2, h3), q2 = Quarters(h4, h5), q3 = Quarters(h6, h7);
        Vector512<float> p0 = Pairs(q0, q1), p1 = Pairs(q2, q3);
        Vector512<float> r = Neighbours(p0, p1);
        // r, per 128-bit lane: [A0, B0, A1, B1] where the original has [A0, A1, B0, B1]; and quarters in order 0 2 1 3
        return Avx512F.PermuteVar16x32(r, Vector512.Create(0, 2, 1, 3, 8, 10, 9, 11, 4, 6, 5, 7, 12, 14, 13, 15));

        static Vector512<float> Halves(Vector512<float> a, Vector512<float> b) =>
            Vector512.ConditionalSelect(Upper256.AsSingle(), b, a) + Avx512F.Shuffle4x128(a, b, 0x4E);

        static Vector512<float> Quarters(Vector512<float> a, Vector512<float> b) =>
            Vector512.ConditionalSelect(OddQuarters.AsSingle(), b, a) + Avx512F.PermuteVar16x32x2(a, SwapQuarters, b);

        static Vector512<float> Pairs(Vector512<float> a, Vector512<float> b) =>
            Vector512.ConditionalSelect(HighPairs.AsSingle(), b, a) + Avx512F.Shuffle(a, b, 0x4E);

        static Vector512<float> Neighbours(Vector512<float> a, Vector512<float> b) =>
            Vector512.ConditionalSelect(OddLanes.AsSingle(), b, a) + Avx512F.PermuteVar16x32x2(a, SwapLanes, b);
    }
}
