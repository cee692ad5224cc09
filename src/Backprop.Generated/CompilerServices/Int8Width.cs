using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// One SIMD width of the int8 kernels as a type (the <see cref="ISimdWidth{TVec}"/> pattern for bytes), so each tile
/// of <see cref="Int8Kernels"/> is written once over <typeparamref name="TVec"/> and the JIT compiles it once per width
/// with every operation inlined: <see cref="Int8Width512"/> (Avx512BW, 64 bytes) and <see cref="Int8Width256"/> (Avx2,
/// 32 bytes). A vector of bytes travels as the same bits typed as int32 lanes; the products are the width's own
/// unsigned × signed pair multiply-add, so a tile gives the integers of one written out per width.
/// </summary>
internal interface IInt8Width<TVec> where TVec : struct
{
    /// <summary>Bytes per vector (products per multiply-add).</summary>
    static abstract int Bytes { get; }

    static abstract TVec AllBitsSet { get; }

    /// <summary><see cref="Bytes"/> bytes from <paramref name="source"/> + <paramref name="offset"/>.</summary>
    static abstract TVec Load(ref byte source, nuint offset);

    static abstract TVec Load(ref sbyte source, nuint offset);

    static abstract TVec And(TVec a, TVec b);

    static abstract TVec Or(TVec a, TVec b);

    /// <summary>a − b byte by byte (wrapping).</summary>
    static abstract TVec Subtract(TVec a, TVec b);

    /// <summary>The int16 value <paramref name="value"/> (1 or −1) in every 16-bit lane: what <see cref="Madd"/> weighs its pairs with.</summary>
    static abstract TVec Pairs(short value);

    /// <summary>
    /// acc + Σ over each group of four bytes of x·w (x unsigned, w signed), the pairs weighed by <paramref name="pairs"/>
    /// (±1): pairs of products into int16 (exact: |x| ≤ 127, see <see cref="Int8Kernels"/>), then pairs of pairs into
    /// int32 times ±1, so −1 subtracts the products exactly.
    /// </summary>
    static abstract TVec Madd(TVec acc, TVec x, TVec w, TVec pairs);

    /// <summary><see cref="Madd"/> into a zero accumulator: the sums of each group of four products, the pairs weighed by <paramref name="pairs"/>.</summary>
    static abstract TVec Dot(TVec x, TVec w, TVec pairs);

    /// <summary>
    /// Byte by byte, w times the sign of s (w, s signed; −w where s &lt; 0, 0 where s = 0): with |q| as the unsigned
    /// operand, Σ |q| · (w · sign q) = Σ q · w, one product per weight for an input of both signs. The negation wraps
    /// for w = −128 (−(−128) is −128 in a byte), so this holds only for w in [−127, 127]: the precondition of the
    /// one-sample Dense kernels (<see cref="Int8Quantization"/> never makes −128). The pair sums themselves would stay
    /// exact for any byte (2 · 127 · 128 = 32,512 &lt; 2¹⁵).
    /// </summary>
    static abstract TVec Sign(TVec w, TVec s);

    /// <summary>The input lanes a row's last, overlapping vector counts: those past the whole vectors (n mod <see cref="Bytes"/> of them).</summary>
    static abstract TVec TailMask(int n);

    /// <summary>An accumulator folded to four int32 lanes whose sum is its sum.</summary>
    static abstract Vector128<int> Fold(TVec a);

    /// <summary>
    /// Lane j: the sum of all the lanes of <paramref name="s0"/> … <paramref name="s7"/>'s j-th, by one transposing add
    /// tree (integer addition is exact and associative, so any tree gives these totals).
    /// </summary>
    static abstract Vector256<int> Totals(TVec s0, TVec s1, TVec s2, TVec s3, TVec s4, TVec s5, TVec s6, TVec s7);
}

/// <summary>Avx512BW: 64 bytes per vector.</summary>
internal readonly struct Int8Width512 : IInt8Width<Vector512<int>>
{
    public static int Bytes => 64;

    public static Vector512<int> AllBitsSet => Vector512<int>.AllBitsSet;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Load(ref byte source, nuint offset) => Vector512.LoadUnsafe(ref source, offset).AsInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Load(ref sbyte source, nuint offset) => Vector512.LoadUnsafe(ref source, offset).AsInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> And(Vector512<int> a, Vector512<int> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Or(Vector512<int> a, Vector512<int> b) => a | b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Subtract(Vector512<int> a, Vector512<int> b) => (a.AsByte() - b.AsByte()).AsInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Pairs(short value) => Vector512.Create(value).AsInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Madd(Vector512<int> acc, Vector512<int> x, Vector512<int> w, Vector512<int> pairs) =>
        Avx512BW.Add(acc, Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x.AsByte(), w.AsSByte()), pairs.AsInt16()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Dot(Vector512<int> x, Vector512<int> w, Vector512<int> pairs) =>
        Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x.AsByte(), w.AsSByte()), pairs.AsInt16());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Sign(Vector512<int> w, Vector512<int> s)
    {
        // no vpsignb on 512 bits: negate where s < 0, clear where s = 0 (wrapping, as vpsignb: w = -128 stays -128,
        // hence the callers' precondition w in [-127, 127])
        Vector512<sbyte> wb = w.AsSByte(), sb = s.AsSByte();
        Vector512<sbyte> signed = Vector512.ConditionalSelect(Vector512.LessThan(sb, Vector512<sbyte>.Zero), -wb, wb);
        return Vector512.AndNot(signed, Vector512.Equals(sb, Vector512<sbyte>.Zero)).AsInt32();
    }

    public static Vector512<int> TailMask(int n) =>
        Vector512.GreaterThanOrEqual(Vector512.Create(Int8Width.LaneIndex), Vector512.Create((byte)(64 - n % 64))).AsInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Fold(Vector512<int> a)
    {
        Vector256<int> h = a.GetLower() + a.GetUpper();
        return h.GetLower() + h.GetUpper();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Totals(Vector512<int> s0, Vector512<int> s1, Vector512<int> s2, Vector512<int> s3,
        Vector512<int> s4, Vector512<int> s5, Vector512<int> s6, Vector512<int> s7)
    {
        // level 1 (256-bit halves): h_k = [row k: q0 + q2, q1 + q3 | row k + 4: q0 + q2, q1 + q3] (q: 128-bit quarters)
        Vector512<int> h0 = Halves(s0, s4), h1 = Halves(s1, s5), h2 = Halves(s2, s6), h3 = Halves(s3, s7);
        // level 2 (quarters): four partial sums of one row per quarter, rows (0, 4, 1, 5) and (2, 6, 3, 7)
        Vector512<int> q0 = Quarters(h0, h1), q1 = Quarters(h2, h3);
        // level 3 (64-bit pairs): quarter 0 = [row 0, row 0, row 2, row 2], 1 = rows 4, 6, 2 = rows 1, 3, 3 = rows 5, 7
        Vector512<int> p = Avx512F.UnpackLow(q0.AsInt64(), q1.AsInt64()).AsInt32() + Avx512F.UnpackHigh(q0.AsInt64(), q1.AsInt64()).AsInt32();
        // level 4 (neighbours): the even lanes hold the totals; then rows 0-7 in order
        p += Avx512F.Shuffle(p, 0xB1);
        return Avx512F.PermuteVar16x32(p, Vector512.Create(0, 8, 2, 10, 4, 12, 6, 14, 0, 0, 0, 0, 0, 0, 0, 0)).GetLower();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector512<int> Halves(Vector512<int> a, Vector512<int> b) => Avx512F.Shuffle4x128(a, b, 0x44) + Avx512F.Shuffle4x128(a, b, 0xEE);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector512<int> Quarters(Vector512<int> a, Vector512<int> b) => Avx512F.Shuffle4x128(a, b, 0x88) + Avx512F.Shuffle4x128(a, b, 0xDD);
    }
}

/// <summary>Avx2: 32 bytes per vector.</summary>
internal readonly struct Int8Width256 : IInt8Width<Vector256<int>>
{
    public static int Bytes => 32;

    public static Vector256<int> AllBitsSet => Vector256<int>.AllBitsSet;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Load(ref byte source, nuint offset) => Vector256.LoadUnsafe(ref source, offset).AsInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Load(ref sbyte source, nuint offset) => Vector256.LoadUnsafe(ref source, offset).AsInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> And(Vector256<int> a, Vector256<int> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Or(Vector256<int> a, Vector256<int> b) => a | b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Subtract(Vector256<int> a, Vector256<int> b) => (a.AsByte() - b.AsByte()).AsInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Pairs(short value) => Vector256.Create(value).AsInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Madd(Vector256<int> acc, Vector256<int> x, Vector256<int> w, Vector256<int> pairs) =>
        Avx2.Add(acc, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x.AsByte(), w.AsSByte()), pairs.AsInt16()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Dot(Vector256<int> x, Vector256<int> w, Vector256<int> pairs) =>
        Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x.AsByte(), w.AsSByte()), pairs.AsInt16());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    // vpsignb: wrapping, so w = -128 stays -128 where s < 0 (the callers' precondition: w in [-127, 127])
    public static Vector256<int> Sign(Vector256<int> w, Vector256<int> s) => Avx2.Sign(w.AsSByte(), s.AsSByte()).AsInt32();

    public static Vector256<int> TailMask(int n) =>
        Vector256.GreaterThanOrEqual(Vector256.Create(Int8Width.LaneIndex.Slice(0, 32)), Vector256.Create((byte)(32 - n % 32))).AsInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Fold(Vector256<int> a) => a.GetLower() + a.GetUpper();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Totals(Vector256<int> s0, Vector256<int> s1, Vector256<int> s2, Vector256<int> s3,
        Vector256<int> s4, Vector256<int> s5, Vector256<int> s6, Vector256<int> s7)
    {
        // level 1: [a.lo + a.hi, b.lo + b.hi]: rows (0 | 4), (1 | 5), (2 | 6), (3 | 7), four partial sums each
        Vector256<int> h0 = Avx2.Permute2x128(s0, s4, 0x20) + Avx2.Permute2x128(s0, s4, 0x31);
        Vector256<int> h1 = Avx2.Permute2x128(s1, s5, 0x20) + Avx2.Permute2x128(s1, s5, 0x31);
        Vector256<int> h2 = Avx2.Permute2x128(s2, s6, 0x20) + Avx2.Permute2x128(s2, s6, 0x31);
        Vector256<int> h3 = Avx2.Permute2x128(s3, s7, 0x20) + Avx2.Permute2x128(s3, s7, 0x31);
        // level 2: in each half, [a(e0 + e2), a(e1 + e3), b(e0 + e2), b(e1 + e3)]
        Vector256<int> p0 = Avx2.UnpackLow(h0.AsInt64(), h1.AsInt64()).AsInt32() + Avx2.UnpackHigh(h0.AsInt64(), h1.AsInt64()).AsInt32();
        Vector256<int> p1 = Avx2.UnpackLow(h2.AsInt64(), h3.AsInt64()).AsInt32() + Avx2.UnpackHigh(h2.AsInt64(), h3.AsInt64()).AsInt32();
        // level 3: rows 0-3 in the low half, 4-7 in the high
        return Avx.Shuffle(p0.AsSingle(), p1.AsSingle(), 0x88).AsInt32() + Avx.Shuffle(p0.AsSingle(), p1.AsSingle(), 0xDD).AsInt32();
    }
}

/// <summary>Constants shared by the widths.</summary>
internal static class Int8Width
{
    public static ReadOnlySpan<byte> LaneIndex => new byte[]
    {
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
        32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
    };
}
