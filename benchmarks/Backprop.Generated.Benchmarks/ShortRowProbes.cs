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
/// accumulators' multiply-adds alone (the rows summed vertically, a wrong result, for timing), and the same with the
/// transposing add tree that makes them row sums.
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
            ("32×64 FMAs + 16-row add tree (DenseKernels)", ms => { var op = new Op(w, x, y, 1); return Latency.Time(ref op, ms); }),
        };
        foreach (var (_, t) in ops) t(200);
        foreach (var (_, t) in ops) t(100);
        foreach (var (name, t) in ops)
        {
            var (best, median) = t(500);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-50} {best,8:F1} {median,8:F1}"));
        }
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
                _ => Block(ref Unsafe.Add(ref rw, o * 64), ref rx, 1),
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
        return DenseKernels.Transpose16Sum(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15);
    }
}
