using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// One SIMD width as a type, so a kernel is written once over <typeparamref name="TVec"/> and the JIT compiles it once
/// per width with every operation inlined (<see cref="Width512"/>, <see cref="Width256"/>). The operations are the
/// vector types' own, so a kernel gives the same bits as one written out per width.
/// </summary>
internal interface ISimdWidth<TVec> where TVec : struct
{
    /// <summary>a + b lane by lane.</summary>
    static abstract TVec Add(TVec a, TVec b);

    /// <summary><typeparamref name="TAct"/>'s activation lane by lane (its overload for this width).</summary>
    static abstract TVec Activate<TAct>(TVec z) where TAct : struct, IFusedActivation;

    /// <summary>
    /// The sixteen accumulators of <see cref="ShortRowKernels"/> turned into one vector of row sums, lane j the sum of
    /// row j, every row summed in the kernel's one order over its sixteen lane partial sums l0..l15:
    /// ((l0 + l8) + (l4 + l12)) + ((l2 + l10) + (l6 + l14)) + the same from l1. <see cref="Count"/> rows: with 16
    /// floats a vector, accumulator j is row j; with 8, accumulators 2j and 2j + 1 are lanes 0..7 and 8..15 of row j.
    /// </summary>
    static abstract TVec SumRows(
        TVec a0, TVec a1, TVec a2, TVec a3, TVec a4, TVec a5, TVec a6, TVec a7,
        TVec a8, TVec a9, TVec a10, TVec a11, TVec a12, TVec a13, TVec a14, TVec a15);

    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    static abstract TVec Create(float value);

    static abstract TVec Load(ref float source, nuint index);

    static abstract void Store(TVec value, ref float destination, nuint index);

    /// <summary>a · b + c, fused where the CPU has FMA (<see cref="FusedMath"/>).</summary>
    static abstract TVec Fma(TVec a, TVec b, TVec c);

    /// <summary>old − rate · (d · x), each product rounded as written: the SGD step of one gradient element.</summary>
    static abstract TVec SgdStep(TVec old, TVec rate, TVec d, TVec x);
}

/// <summary>Vector512 of 16 floats.</summary>
internal readonly struct Width512 : ISimdWidth<Vector512<float>>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Activate<TAct>(Vector512<float> z) where TAct : struct, IFusedActivation => TAct.Apply(z);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> SumRows(
        Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3, Vector512<float> a4, Vector512<float> a5, Vector512<float> a6, Vector512<float> a7,
        Vector512<float> a8, Vector512<float> a9, Vector512<float> a10, Vector512<float> a11, Vector512<float> a12, Vector512<float> a13, Vector512<float> a14, Vector512<float> a15) =>
        DenseKernels.Transpose16Sum(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);

    public static int Count => 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Create(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, nuint index) => Vector512.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination, nuint index) => Vector512.StoreUnsafe(value, ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => FusedMath.Fma512(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> SgdStep(Vector512<float> old, Vector512<float> rate, Vector512<float> d, Vector512<float> x) => old - rate * (d * x);
}

/// <summary>Vector256 of 8 floats.</summary>
internal readonly struct Width256 : ISimdWidth<Vector256<float>>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Activate<TAct>(Vector256<float> z) where TAct : struct, IFusedActivation => TAct.Apply(z);

    /// <summary>
    /// Row j = a(2j) + a(2j + 1) (lanes l and l + 8), then three levels of pairs, each two shuffles and one add: 128-bit
    /// halves (l and l + 4), 64-bit pairs (l and l + 2), then neighbours; row j lands in lane j.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SumRows(
        Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3, Vector256<float> a4, Vector256<float> a5, Vector256<float> a6, Vector256<float> a7,
        Vector256<float> a8, Vector256<float> a9, Vector256<float> a10, Vector256<float> a11, Vector256<float> a12, Vector256<float> a13, Vector256<float> a14, Vector256<float> a15)
    {
        Vector256<float> r0 = a0 + a1, r1 = a2 + a3, r2 = a4 + a5, r3 = a6 + a7, r4 = a8 + a9, r5 = a10 + a11, r6 = a12 + a13, r7 = a14 + a15;
        // [x.lo + x.hi, y.lo + y.hi]: rows (0, 4), (1, 5), (2, 6), (3, 7)
        Vector256<float> h0 = Halves(r0, r4), h1 = Halves(r1, r5), h2 = Halves(r2, r6), h3 = Halves(r3, r7);
        // per 128-bit half: [a(e0 + e2), a(e1 + e3), b(e0 + e2), b(e1 + e3)]; rows (0, 1 | 4, 5) and (2, 3 | 6, 7)
        Vector256<float> p0 = Avx.UnpackLow(h0.AsDouble(), h1.AsDouble()).AsSingle() + Avx.UnpackHigh(h0.AsDouble(), h1.AsDouble()).AsSingle();
        Vector256<float> p1 = Avx.UnpackLow(h2.AsDouble(), h3.AsDouble()).AsSingle() + Avx.UnpackHigh(h2.AsDouble(), h3.AsDouble()).AsSingle();
        // rows 0..3 | 4..7
        return Avx.Shuffle(p0, p1, 0x88) + Avx.Shuffle(p0, p1, 0xDD);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<float> Halves(Vector256<float> a, Vector256<float> b) => Avx.Permute2x128(a, b, 0x20) + Avx.Permute2x128(a, b, 0x31);
    }

    public static int Count => 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Create(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, nuint index) => Vector256.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination, nuint index) => Vector256.StoreUnsafe(value, ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => FusedMath.Fma256(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SgdStep(Vector256<float> old, Vector256<float> rate, Vector256<float> d, Vector256<float> x) => old - rate * (d * x);
}
