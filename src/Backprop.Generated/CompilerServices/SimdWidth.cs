using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// One SIMD width as a type, so a kernel is written once over <typeparamref name="TVec"/> and the JIT compiles it once
/// per width with every operation inlined (<see cref="Width512"/>, <see cref="Width256"/>). The operations are the
/// vector types' own, so a kernel gives the same bits as one written out per width.
/// </summary>
internal interface ISimdWidth<TVec> where TVec : struct
{
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
