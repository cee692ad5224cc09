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

    /// <summary>
    /// The vector folded to four lanes by adding halves (512 → 256 → 128 bits), lane j holding the sum of the lanes
    /// congruent to j mod 4 in that fixed order: the first step of <see cref="DenseKernels.Gemv"/>'s row sums.
    /// </summary>
    static abstract Vector128<float> Fold128(TVec value);

    // The batch kernels' register tiles (BatchKernels.Tile): the tile's shape, and the operations around its outer product.

    /// <summary>
    /// Rows of a batch kernel's register tile, whose columns are a chunk's 32 samples: TileRows × (32 / Count)
    /// accumulators, chosen so that they, the column vectors and a broadcast fit the width's registers.
    /// </summary>
    static abstract int TileRows { get; }

    static abstract TVec Add(TVec a, TVec b);

    /// <summary>The sum of the lanes (the vector type's own horizontal sum).</summary>
    static abstract float Sum(TVec value);

    /// <summary>f(z) lane by lane, by the activation's overload for this width.</summary>
    static abstract TVec Activate<TAct>(TVec z) where TAct : struct, IFusedActivation;

    /// <summary>g · f'(z) from a = f(z) lane by lane, by the derivative's overload for this width.</summary>
    static abstract TVec Chain<TDerivative>(TVec g, TVec a) where TDerivative : struct, IActivationDerivative;
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Fold128(Vector512<float> value) => Width256.Fold128(Vector512.GetLower(value) + Vector512.GetUpper(value));

    /// <summary>12 rows × 2 vectors: 24 accumulators, 2 column vectors and a broadcast of the 32 registers.</summary>
    public static int TileRows => 12;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> value) => Vector512.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Activate<TAct>(Vector512<float> z) where TAct : struct, IFusedActivation => TAct.Apply(z);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Chain<TDerivative>(Vector512<float> g, Vector512<float> a) where TDerivative : struct, IActivationDerivative => TDerivative.Chain(g, a);
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Fold128(Vector256<float> value) => Vector256.GetLower(value) + Vector256.GetUpper(value);

    /// <summary>3 rows × 4 vectors: 12 accumulators, 4 column vectors and a broadcast of the 16 registers.</summary>
    public static int TileRows => 3;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> value) => Vector256.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Activate<TAct>(Vector256<float> z) where TAct : struct, IFusedActivation => TAct.Apply(z);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Chain<TDerivative>(Vector256<float> g, Vector256<float> a) where TDerivative : struct, IActivationDerivative => TDerivative.Chain(g, a);
}
