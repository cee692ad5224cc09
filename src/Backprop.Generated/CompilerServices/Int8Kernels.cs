using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// The kernels of <c>Precision.Int8</c> networks: a layer's input quantized per sample (<see cref="Int8Quantization"/>:
/// symmetric, scale max|x| / 127), int8 × int8 products accumulated exactly in int32, and the result scaled back to
/// float32 before the bias and the activation.
/// <para>
/// The products go through an unsigned × signed byte instruction, so a quantized input q ∈ [−127, 127] is held as two
/// unsigned magnitudes, q⁺ = max(q, 0) and q⁻ = max(−q, 0), and Σ q·w = Σ q⁺·w − Σ q⁻·w; the second sum is skipped
/// for a sample with no negative value (every input after a ReLU, images). Each pair sum q⁺ᵢwᵢ + q⁺ᵢ₊₁wᵢ₊₁ is at most
/// 2 · 127 · 127 = 32,258, inside int16, so the saturating pair multiply-add never saturates and the int32 totals are
/// exact: Avx512BW (64 products per instruction), else Avx2 (32), else scalar loops give the same integers, and the
/// scaling back is the same scalar arithmetic on every path, so a layer's outputs are bit-identical on every machine.
/// </para>
/// <para>
/// The matrix product takes a tile of 4 weight rows × 1 sample (one-sample inference) or 4 rows × 4 samples (batches:
/// each weight load feeds four samples). A row whose length is not a whole number of vectors ends with one vector that
/// overlaps the previous one, its repeated input lanes masked to zero, so rows need no padding and no scalar tail.
/// One sample of a layer with short rows (fewer than 256 inputs: digits-sized layers, whose time is mostly fixed costs)
/// goes instead by blocks of 16 rows (8 on Avx2), reduced together by one transposing add tree and scaled back in
/// registers (<c>DenseRows</c>): a 4-row tile spends more on its horizontal sums than on its products there.
/// A convolution lowered to a matrix product (im2col patches as the samples, filters as the rows) can use
/// <see cref="MatrixProduct"/> as it stands. Called by generated code; versioned with the generator (one package).
/// </para>
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Int8Kernels
{
    /// <summary>Bytes of scratch <see cref="DenseForward{TAct}"/> needs for <paramref name="samples"/> samples of <paramref name="inputs"/> values.</summary>
    public static int ScratchBytes(int inputs, int samples) => samples * (2 * inputs + 8);

    /// <summary>
    /// A Dense layer on <paramref name="samples"/> samples stored one after another (x [samples × n], y [samples × m]):
    /// y[s, o] = act(s_x[s] · s_w[o] · Σ_i q_x[s, i] · q_w[o, i] + b[o]), the product and scaling in float64 and rounded
    /// once to float32 (so within 1 ulp of the exact value of the dequantized arithmetic). <paramref name="scratch"/>
    /// holds at least <see cref="ScratchBytes"/> bytes.
    /// </summary>
    public static void DenseForward<TAct>(ReadOnlySpan<sbyte> weights, ReadOnlySpan<float> weightScales, ReadOnlySpan<float> bias,
        int m, int n, ReadOnlySpan<float> x, int samples, Span<byte> scratch, Span<float> y)
        where TAct : struct, IFusedActivation
    {
        Span<int> flags = MemoryMarshal.Cast<byte, int>(scratch.Slice(0, 4 * samples));
        Span<float> scales = MemoryMarshal.Cast<byte, float>(scratch.Slice(4 * samples, 4 * samples));
        Span<byte> positive = scratch.Slice(8 * samples, samples * n);
        Span<byte> negative = scratch.Slice(8 * samples + samples * n, samples * n);
        bool anyNegative = false;
        for (int s = 0; s < samples; s++)
        {
            bool hasNegative;
            scales[s] = QuantizeInput(x.Slice(s * n, n), positive.Slice(s * n, n), negative.Slice(s * n, n), out hasNegative);
            flags[s] = hasNegative ? 1 : 0;
            anyNegative |= hasNegative;
        }
        if (anyNegative)
        {
            for (int s = 0; s < samples; s++)
            {
                if (flags[s] == 0) negative.Slice(s * n, n).Clear();
            }
        }
        int block = samples == 1 ? OneSampleBlock(m, n) : 0;
        if (block != 0)
        {
            DenseRows<TAct>(ref MemoryMarshal.GetReference(weights), ref MemoryMarshal.GetReference(weightScales), ref MemoryMarshal.GetReference(bias),
                m, n, ref MemoryMarshal.GetReference(positive), ref MemoryMarshal.GetReference(negative), anyNegative, scales[0], ref MemoryMarshal.GetReference(y), block);
            return;
        }
        // The int32 sums go into y's storage (m × samples ints = floats), then each is scaled back in place.
        Span<int> sums = MemoryMarshal.Cast<float, int>(y.Slice(0, samples * m));
        MatrixProduct(weights, m, n, positive, samples, sums, subtract: false);
        if (anyNegative)
        {
            MatrixProduct(weights, m, n, negative, samples, sums, subtract: true);
        }
        for (int s = 0; s < samples; s++)
        {
            Rescale<TAct>(sums.Slice(s * m, m), scales[s], weightScales, bias, y.Slice(s * m, m));
        }
    }

    /// <summary>
    /// y[o] = act((float)(sums[o] · (s_x · s_w[o]) + b[o])) in float64, in place over the sums (y and sums share storage):
    /// s_x · s_w is exact in float64 (24 + 24 significant bits), the product and the sum are each rounded once in
    /// float64, then once to float32; every step is one IEEE operation, so eight lanes at a time give the scalar bits.
    /// </summary>
    private static void Rescale<TAct>(Span<int> sums, float sx, ReadOnlySpan<float> weightScales, ReadOnlySpan<float> bias, Span<float> y)
        where TAct : struct, IFusedActivation
    {
        int m = sums.Length;
        int o = 0;
        if (Avx512F.IsSupported)
        {
            Vector512<double> vsx = Vector512.Create((double)sx);
            ref int sr = ref MemoryMarshal.GetReference(sums);
            ref float wr = ref MemoryMarshal.GetReference(weightScales);
            ref float br = ref MemoryMarshal.GetReference(bias);
            ref float yr = ref MemoryMarshal.GetReference(y);
            for (; o <= m - 8; o += 8)
            {
                Vector512<double> acc = Avx512F.ConvertToVector512Double(Vector256.LoadUnsafe(ref sr, (nuint)o));
                Vector512<double> ws = Avx512F.ConvertToVector512Double(Vector256.LoadUnsafe(ref wr, (nuint)o));
                Vector512<double> b = Avx512F.ConvertToVector512Double(Vector256.LoadUnsafe(ref br, (nuint)o));
                Vector256<float> z = Avx512F.ConvertToVector256Single(acc * (vsx * ws) + b);
                TAct.Apply(z).StoreUnsafe(ref yr, (nuint)o);
            }
        }
        for (; o < m; o++)
        {
            double z = sums[o] * ((double)sx * weightScales[o]) + bias[o];
            y[o] = TAct.Apply((float)z);
        }
    }

    /// <summary>
    /// Quantizes one sample: <paramref name="positive"/>[i] = max(q_i, 0), <paramref name="negative"/>[i] = max(−q_i, 0)
    /// with q_i = <see cref="Int8Quantization.Quantize"/>(x_i, scale), scale = max|x| / 127 (returned). The negative
    /// magnitudes are written only when some x_i &lt; 0 (<paramref name="hasNegative"/>). The same bytes on every path.
    /// </summary>
    public static float QuantizeInput(ReadOnlySpan<float> x, Span<byte> positive, Span<byte> negative, out bool hasNegative)
    {
        int n = x.Length;
        ref float xr = ref MemoryMarshal.GetReference(x);
        float maxAbs = 0f;
        float min = 0f;
        int i = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            Vector512<float> vmax = Vector512<float>.Zero;
            Vector512<float> vmin = Vector512<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                Vector512<float> v = Vector512.LoadUnsafe(ref xr, (nuint)i);
                vmax = MaxNative(vmax, Vector512.Abs(v));
                vmin = MinNative(vmin, v);
            }
            Vector256<float> max8 = MaxNative(vmax.GetLower(), vmax.GetUpper());
            Vector256<float> min8 = MinNative(vmin.GetLower(), vmin.GetUpper());
            (maxAbs, min) = Reduce(MaxNative(max8.GetLower(), max8.GetUpper()), MinNative(min8.GetLower(), min8.GetUpper()));
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<float> vmax = Vector256<float>.Zero;
            Vector256<float> vmin = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref xr, (nuint)i);
                vmax = MaxNative(vmax, Vector256.Abs(v));
                vmin = MinNative(vmin, v);
            }
            (maxAbs, min) = Reduce(MaxNative(vmax.GetLower(), vmax.GetUpper()), MinNative(vmin.GetLower(), vmin.GetUpper()));
        }
        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref xr, i);
            maxAbs = Math.Max(maxAbs, Math.Abs(v));
            min = Math.Min(min, v);
        }
        float scale = Int8Quantization.Scale(maxAbs);
        float inverse = Int8Quantization.InverseScale(maxAbs);
        hasNegative = min < 0f && scale != 0f;
        if (scale == 0f)
        {
            positive.Slice(0, n).Clear();
            return 0f;
        }
        ref byte pr = ref MemoryMarshal.GetReference(positive);
        ref byte nr = ref MemoryMarshal.GetReference(negative);
        i = 0;
        if (Avx512F.IsSupported)
        {
            // v · (127 / max|x|) rounded to nearest even by the conversion (MXCSR's default mode), as Int8Quantization.Quantize.
            Vector512<float> vs = Vector512.Create(inverse);
            Vector512<int> hi = Vector512.Create(Int8Quantization.MaxLevel);
            Vector512<int> lo = Vector512.Create(-Int8Quantization.MaxLevel);
            if (Avx512BW.IsSupported)
            {
                // 64 values into one 64-byte store (the matrix product then loads it whole, forwarded from the store):
                // saturating packs to int16 then to bytes (negatives to 0, so max(q, 0)), then the dwords back in order
                Vector512<int> order = Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
                for (; i <= n - 64; i += 64)
                {
                    Vector512<int> q0 = Vector512.Min(Vector512.Max(Avx512F.ConvertToVector512Int32(Vector512.LoadUnsafe(ref xr, (nuint)i) * vs), lo), hi);
                    Vector512<int> q1 = Vector512.Min(Vector512.Max(Avx512F.ConvertToVector512Int32(Vector512.LoadUnsafe(ref xr, (nuint)(i + 16)) * vs), lo), hi);
                    Vector512<int> q2 = Vector512.Min(Vector512.Max(Avx512F.ConvertToVector512Int32(Vector512.LoadUnsafe(ref xr, (nuint)(i + 32)) * vs), lo), hi);
                    Vector512<int> q3 = Vector512.Min(Vector512.Max(Avx512F.ConvertToVector512Int32(Vector512.LoadUnsafe(ref xr, (nuint)(i + 48)) * vs), lo), hi);
                    Vector512<short> ab = Avx512BW.PackSignedSaturate(q0, q1), cd = Avx512BW.PackSignedSaturate(q2, q3);
                    Avx512F.PermuteVar16x32(Avx512BW.PackUnsignedSaturate(ab, cd).AsInt32(), order).AsByte().StoreUnsafe(ref pr, (nuint)i);
                    if (hasNegative) Avx512F.PermuteVar16x32(Avx512BW.PackUnsignedSaturate(-ab, -cd).AsInt32(), order).AsByte().StoreUnsafe(ref nr, (nuint)i);
                }
            }
            for (; i <= n - 16; i += 16)
            {
                Vector512<int> q = Avx512F.ConvertToVector512Int32(Vector512.LoadUnsafe(ref xr, (nuint)i) * vs);
                q = Vector512.Min(Vector512.Max(q, lo), hi);
                Avx512F.ConvertToVector128Byte(Vector512.Max(q, Vector512<int>.Zero)).StoreUnsafe(ref pr, (nuint)i);
                if (hasNegative) Avx512F.ConvertToVector128Byte(Vector512.Max(-q, Vector512<int>.Zero)).StoreUnsafe(ref nr, (nuint)i);
            }
        }
        else if (Avx2.IsSupported)
        {
            Vector256<float> vs = Vector256.Create(inverse);
            Vector256<int> hi = Vector256.Create(Int8Quantization.MaxLevel);
            Vector256<int> lo = Vector256.Create(-Int8Quantization.MaxLevel);
            for (; i <= n - 16; i += 16)
            {
                Vector256<int> q0 = Vector256.Min(Vector256.Max(Avx.ConvertToVector256Int32(Vector256.LoadUnsafe(ref xr, (nuint)i) * vs), lo), hi);
                Vector256<int> q1 = Vector256.Min(Vector256.Max(Avx.ConvertToVector256Int32(Vector256.LoadUnsafe(ref xr, (nuint)(i + 8)) * vs), lo), hi);
                StoreBytes(Vector256.Max(q0, Vector256<int>.Zero), Vector256.Max(q1, Vector256<int>.Zero), ref pr, i);
                if (hasNegative) StoreBytes(Vector256.Max(-q0, Vector256<int>.Zero), Vector256.Max(-q1, Vector256<int>.Zero), ref nr, i);
            }
        }
        for (; i < n; i++)
        {
            int q = Int8Quantization.Quantize(Unsafe.Add(ref xr, i), inverse);
            Unsafe.Add(ref pr, i) = (byte)Math.Max(q, 0);
            if (hasNegative) Unsafe.Add(ref nr, i) = (byte)Math.Max(-q, 0);
        }
        return scale;
    }

    /// <summary>
    /// The largest of four maxima and the smallest of four minima, by two shuffles each (max and min are exact, so any
    /// order gives the same; the values are finite, and a −0 minimum counts as no negative value either way).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (float Max, float Min) Reduce(Vector128<float> max, Vector128<float> min)
    {
        max = MaxNative(max, Vector128.Shuffle(max, Vector128.Create(2, 3, 0, 1)));
        min = MinNative(min, Vector128.Shuffle(min, Vector128.Create(2, 3, 0, 1)));
        max = MaxNative(max, Vector128.Shuffle(max, Vector128.Create(1, 0, 3, 2)));
        min = MinNative(min, Vector128.Shuffle(min, Vector128.Create(1, 0, 3, 2)));
        return (max.ToScalar(), min.ToScalar());
    }

    // max and min without the NaN and signed-zero rules of Vector*.Max (.NET 9 on): the values are finite and only
    // max|x| > 0 and min < 0 matter, which both give alike
#if NET9_0_OR_GREATER
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Vector512<float> MaxNative(Vector512<float> a, Vector512<float> b) => Vector512.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Vector512<float> MinNative(Vector512<float> a, Vector512<float> b) => Vector512.MinNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Vector256<float> MaxNative(Vector256<float> a, Vector256<float> b) => Vector256.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Vector256<float> MinNative(Vector256<float> a, Vector256<float> b) => Vector256.MinNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Vector128<float> MaxNative(Vector128<float> a, Vector128<float> b) => Vector128.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Vector128<float> MinNative(Vector128<float> a, Vector128<float> b) => Vector128.MinNative(a, b);
#else
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Vector512<float> MaxNative(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Vector512<float> MinNative(Vector512<float> a, Vector512<float> b) => Vector512.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Vector256<float> MaxNative(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Vector256<float> MinNative(Vector256<float> a, Vector256<float> b) => Vector256.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Vector128<float> MaxNative(Vector128<float> a, Vector128<float> b) => Vector128.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Vector128<float> MinNative(Vector128<float> a, Vector128<float> b) => Vector128.Min(a, b);
#endif

    /// <summary>Sixteen ints in [0, 127] stored as sixteen bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreBytes(Vector256<int> a, Vector256<int> b, ref byte destination, int offset)
    {
        Vector256<short> s = Vector256.Narrow(a, b);
        Vector128<byte> bytes = Vector128.Narrow(s.GetLower(), s.GetUpper()).AsByte();
        bytes.StoreUnsafe(ref destination, (nuint)offset);
    }

    /// <summary>
    /// sums[s · m + o] (+ or − when <paramref name="subtract"/>) = Σ_i x[s · n + i] · w[o · n + i] for o &lt; m, s &lt;
    /// <paramref name="samples"/>, exactly in int32: w [m × n] int8 row-major, x [samples × n] bytes in [0, 127]. With
    /// n · 127 · 127 &lt; 2³¹ nothing overflows. Written, not added, unless <paramref name="subtract"/>.
    /// </summary>
    public static void MatrixProduct(ReadOnlySpan<sbyte> w, int m, int n, ReadOnlySpan<byte> x, int samples, Span<int> sums, bool subtract)
    {
        if (w.Length < m * n || x.Length < samples * n || sums.Length < samples * m)
        {
            throw new ArgumentException($"Int8Kernels.MatrixProduct: [{m} × {n}] weights, {samples} samples need {m * n} weights, {samples * n} inputs and {samples * m} sums; got {w.Length}, {x.Length} and {sums.Length}.");
        }
        if (m == 0 || samples == 0) return;
        ref sbyte wr = ref MemoryMarshal.GetReference(w);
        ref byte xr = ref MemoryMarshal.GetReference(x);
        ref int sr = ref MemoryMarshal.GetReference(sums);
        int block = samples < 4 ? OneSampleBlock(m, n) : 0;
        if (block != 0)
        {
            for (int s = 0; s < samples; s++)
            {
                RowBlocks(ref wr, m, n, ref Unsafe.Add(ref xr, s * n), ref Unsafe.Add(ref sr, s * m), subtract, wide: block == 16);
            }
            return;
        }
        Tiles(ref wr, m, n, ref xr, samples, ref sr, subtract);
    }

    /// <summary><see cref="MatrixProduct"/> by tiles of 4 rows × 1 or 4 samples (a method of its own, so the tiles inline into it as they are).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // compiled once for every shape, as MatrixProduct's body was before the row blocks, not into each generated Forward
    private static void Tiles(ref sbyte wr, int m, int n, ref byte xr, int samples, ref int sr, bool subtract)
    {
        int width = Avx512BW.IsSupported && n >= 64 ? 64 : Avx2.IsSupported && n >= 32 ? 32 : 1;
        Vector512<byte> mask512 = width == 64 ? TailMask512(n) : default;
        Vector256<byte> mask256 = width == 32 ? TailMask256(n) : default;
        int sampleStep = samples >= 4 ? 4 : 1;
        for (int s0 = 0; s0 < samples; s0 += sampleStep)
        {
            for (int o0 = 0; o0 < m; o0 += 4)
            {
                // Rows and samples past the end repeat the last one; their sums are not stored.
                int r1 = Math.Min(o0 + 1, m - 1), r2 = Math.Min(o0 + 2, m - 1), r3 = Math.Min(o0 + 3, m - 1);
                ref sbyte w0 = ref Unsafe.Add(ref wr, o0 * n);
                ref sbyte w1 = ref Unsafe.Add(ref wr, r1 * n);
                ref sbyte w2 = ref Unsafe.Add(ref wr, r2 * n);
                ref sbyte w3 = ref Unsafe.Add(ref wr, r3 * n);
                ref byte x0 = ref Unsafe.Add(ref xr, s0 * n);
                if (sampleStep == 1)
                {
                    Vector128<int> t = width == 64 ? Tile4x1Avx512(ref w0, ref w1, ref w2, ref w3, ref x0, n, mask512)
                        : width == 32 ? Tile4x1Avx2(ref w0, ref w1, ref w2, ref w3, ref x0, n, mask256)
                        : Tile4x1Scalar(ref w0, ref w1, ref w2, ref w3, ref x0, n);
                    Store(ref sr, t, s0 * m + o0, m - o0, subtract);
                    continue;
                }
                ref byte x1 = ref Unsafe.Add(ref xr, Math.Min(s0 + 1, samples - 1) * n);
                ref byte x2 = ref Unsafe.Add(ref xr, Math.Min(s0 + 2, samples - 1) * n);
                ref byte x3 = ref Unsafe.Add(ref xr, Math.Min(s0 + 3, samples - 1) * n);
                Vector128<int> t0, t1, t2, t3;
                if (width == 64)
                {
                    Tile4x4Avx512(ref w0, ref w1, ref w2, ref w3, ref x0, ref x1, ref x2, ref x3, n, mask512, out t0, out t1, out t2, out t3);
                }
                else if (width == 32)
                {
                    Tile4x4Avx2(ref w0, ref w1, ref w2, ref w3, ref x0, ref x1, ref x2, ref x3, n, mask256, out t0, out t1, out t2, out t3);
                }
                else
                {
                    t0 = Tile4x1Scalar(ref w0, ref w1, ref w2, ref w3, ref x0, n);
                    t1 = Tile4x1Scalar(ref w0, ref w1, ref w2, ref w3, ref x1, n);
                    t2 = Tile4x1Scalar(ref w0, ref w1, ref w2, ref w3, ref x2, n);
                    t3 = Tile4x1Scalar(ref w0, ref w1, ref w2, ref w3, ref x3, n);
                }
                int left = samples - s0;
                Store(ref sr, t0, s0 * m + o0, m - o0, subtract);
                if (left > 1) Store(ref sr, t1, (s0 + 1) * m + o0, m - o0, subtract);
                if (left > 2) Store(ref sr, t2, (s0 + 2) * m + o0, m - o0, subtract);
                if (left > 3) Store(ref sr, t3, (s0 + 3) * m + o0, m - o0, subtract);
            }
        }
    }

    /// <summary>The four sums of a tile into sums[at..], only the first <paramref name="rows"/> of them when fewer remain.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref int sums, Vector128<int> tile, int at, int rows, bool subtract)
    {
        ref int target = ref Unsafe.Add(ref sums, at);
        if (rows >= 4)
        {
            Vector128<int> value = subtract ? Vector128.LoadUnsafe(ref target) - tile : tile;
            value.StoreUnsafe(ref target);
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            Unsafe.Add(ref target, r) = subtract ? Unsafe.Add(ref target, r) - tile.GetElement(r) : tile.GetElement(r);
        }
    }

    /// <summary>[Σ a0, Σ a1, Σ a2, Σ a3]: each accumulator folded to 128 bits, then two rounds of pairwise adds (exact, wrapping int32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Sums(Vector128<int> a0, Vector128<int> a1, Vector128<int> a2, Vector128<int> a3)
    {
        if (Ssse3.IsSupported)
        {
            return Ssse3.HorizontalAdd(Ssse3.HorizontalAdd(a0, a1), Ssse3.HorizontalAdd(a2, a3));
        }
        return Vector128.Create(Vector128.Sum(a0), Vector128.Sum(a1), Vector128.Sum(a2), Vector128.Sum(a3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Fold(Vector512<int> a)
    {
        Vector256<int> h = a.GetLower() + a.GetUpper();
        return h.GetLower() + h.GetUpper();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Fold(Vector256<int> a) => a.GetLower() + a.GetUpper();

    // ------------------------------------------------------------------ tiles: 4 rows × 1 or 4 samples, exact int32

    private static ReadOnlySpan<byte> LaneIndex => new byte[]
    {
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
        32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
    };

    /// <summary>Σ of 64 products x·w into 16 int32 lanes: pairs into int16 (exact, see the class remarks), then pairs of pairs into int32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Madd(Vector512<int> acc, Vector512<byte> x, Vector512<sbyte> w) =>
        Avx512BW.Add(acc, Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, w), Vector512.Create((short)1)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Madd(Vector256<int> acc, Vector256<byte> x, Vector256<sbyte> w) =>
        Avx2.Add(acc, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w), Vector256.Create((short)1)));

    /// <summary>The input lanes a row's last, overlapping vector counts: those past the whole vectors (n mod width of them).</summary>
    private static Vector512<byte> TailMask512(int n) =>
        Vector512.GreaterThanOrEqual(Vector512.Create(LaneIndex), Vector512.Create((byte)(64 - n % 64)));

    private static Vector256<byte> TailMask256(int n) =>
        Vector256.GreaterThanOrEqual(Vector256.Create(LaneIndex.Slice(0, 32)), Vector256.Create((byte)(32 - n % 32)));

    private static Vector128<int> Tile4x1Avx512(ref sbyte w0, ref sbyte w1, ref sbyte w2, ref sbyte w3, ref byte x, int n, Vector512<byte> tailMask)
    {
        Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
        int j = 0;
        for (; j <= n - 64; j += 64)
        {
            Vector512<byte> xv = Vector512.LoadUnsafe(ref x, (nuint)j);
            a0 = Madd(a0, xv, Vector512.LoadUnsafe(ref w0, (nuint)j));
            a1 = Madd(a1, xv, Vector512.LoadUnsafe(ref w1, (nuint)j));
            a2 = Madd(a2, xv, Vector512.LoadUnsafe(ref w2, (nuint)j));
            a3 = Madd(a3, xv, Vector512.LoadUnsafe(ref w3, (nuint)j));
        }
        if (j < n)
        {
            nuint t = (nuint)(n - 64);
            Vector512<byte> xv = Vector512.LoadUnsafe(ref x, t) & tailMask;
            a0 = Madd(a0, xv, Vector512.LoadUnsafe(ref w0, t));
            a1 = Madd(a1, xv, Vector512.LoadUnsafe(ref w1, t));
            a2 = Madd(a2, xv, Vector512.LoadUnsafe(ref w2, t));
            a3 = Madd(a3, xv, Vector512.LoadUnsafe(ref w3, t));
        }
        return Sums(Fold(a0), Fold(a1), Fold(a2), Fold(a3));
    }

    private static Vector128<int> Tile4x1Avx2(ref sbyte w0, ref sbyte w1, ref sbyte w2, ref sbyte w3, ref byte x, int n, Vector256<byte> tailMask)
    {
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
        int j = 0;
        for (; j <= n - 32; j += 32)
        {
            Vector256<byte> xv = Vector256.LoadUnsafe(ref x, (nuint)j);
            a0 = Madd(a0, xv, Vector256.LoadUnsafe(ref w0, (nuint)j));
            a1 = Madd(a1, xv, Vector256.LoadUnsafe(ref w1, (nuint)j));
            a2 = Madd(a2, xv, Vector256.LoadUnsafe(ref w2, (nuint)j));
            a3 = Madd(a3, xv, Vector256.LoadUnsafe(ref w3, (nuint)j));
        }
        if (j < n)
        {
            nuint t = (nuint)(n - 32);
            Vector256<byte> xv = Vector256.LoadUnsafe(ref x, t) & tailMask;
            a0 = Madd(a0, xv, Vector256.LoadUnsafe(ref w0, t));
            a1 = Madd(a1, xv, Vector256.LoadUnsafe(ref w1, t));
            a2 = Madd(a2, xv, Vector256.LoadUnsafe(ref w2, t));
            a3 = Madd(a3, xv, Vector256.LoadUnsafe(ref w3, t));
        }
        return Sums(Fold(a0), Fold(a1), Fold(a2), Fold(a3));
    }

    private static Vector128<int> Tile4x1Scalar(ref sbyte w0, ref sbyte w1, ref sbyte w2, ref sbyte w3, ref byte x, int n)
    {
        int a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (int j = 0; j < n; j++)
        {
            int xv = Unsafe.Add(ref x, j);
            a0 += xv * Unsafe.Add(ref w0, j);
            a1 += xv * Unsafe.Add(ref w1, j);
            a2 += xv * Unsafe.Add(ref w2, j);
            a3 += xv * Unsafe.Add(ref w3, j);
        }
        return Vector128.Create(a0, a1, a2, a3);
    }

    private static void Tile4x4Avx512(ref sbyte w0, ref sbyte w1, ref sbyte w2, ref sbyte w3,
        ref byte x0, ref byte x1, ref byte x2, ref byte x3, int n, Vector512<byte> tailMask,
        out Vector128<int> t0, out Vector128<int> t1, out Vector128<int> t2, out Vector128<int> t3)
    {
        Vector512<int> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<int> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<int> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<int> a30 = default, a31 = default, a32 = default, a33 = default;
        Vector512<byte> mask = Vector512<byte>.AllBitsSet;
        int j = 0;
        while (true)
        {
            nuint t;
            if (j <= n - 64) t = (nuint)j;
            else if (j < n) { t = (nuint)(n - 64); mask = tailMask; }
            else break;
            Vector512<sbyte> v0 = Vector512.LoadUnsafe(ref w0, t), v1 = Vector512.LoadUnsafe(ref w1, t);
            Vector512<sbyte> v2 = Vector512.LoadUnsafe(ref w2, t), v3 = Vector512.LoadUnsafe(ref w3, t);
            Vector512<byte> x = Vector512.LoadUnsafe(ref x0, t) & mask;
            a00 = Madd(a00, x, v0); a01 = Madd(a01, x, v1); a02 = Madd(a02, x, v2); a03 = Madd(a03, x, v3);
            x = Vector512.LoadUnsafe(ref x1, t) & mask;
            a10 = Madd(a10, x, v0); a11 = Madd(a11, x, v1); a12 = Madd(a12, x, v2); a13 = Madd(a13, x, v3);
            x = Vector512.LoadUnsafe(ref x2, t) & mask;
            a20 = Madd(a20, x, v0); a21 = Madd(a21, x, v1); a22 = Madd(a22, x, v2); a23 = Madd(a23, x, v3);
            x = Vector512.LoadUnsafe(ref x3, t) & mask;
            a30 = Madd(a30, x, v0); a31 = Madd(a31, x, v1); a32 = Madd(a32, x, v2); a33 = Madd(a33, x, v3);
            j += 64;
        }
        t0 = Sums(Fold(a00), Fold(a01), Fold(a02), Fold(a03));
        t1 = Sums(Fold(a10), Fold(a11), Fold(a12), Fold(a13));
        t2 = Sums(Fold(a20), Fold(a21), Fold(a22), Fold(a23));
        t3 = Sums(Fold(a30), Fold(a31), Fold(a32), Fold(a33));
    }

    private static void Tile4x4Avx2(ref sbyte w0, ref sbyte w1, ref sbyte w2, ref sbyte w3,
        ref byte x0, ref byte x1, ref byte x2, ref byte x3, int n, Vector256<byte> tailMask,
        out Vector128<int> t0, out Vector128<int> t1, out Vector128<int> t2, out Vector128<int> t3)
    {
        Vector256<int> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector256<int> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector256<int> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector256<int> a30 = default, a31 = default, a32 = default, a33 = default;
        Vector256<byte> mask = Vector256<byte>.AllBitsSet;
        int j = 0;
        while (true)
        {
            nuint t;
            if (j <= n - 32) t = (nuint)j;
            else if (j < n) { t = (nuint)(n - 32); mask = tailMask; }
            else break;
            Vector256<sbyte> v0 = Vector256.LoadUnsafe(ref w0, t), v1 = Vector256.LoadUnsafe(ref w1, t);
            Vector256<sbyte> v2 = Vector256.LoadUnsafe(ref w2, t), v3 = Vector256.LoadUnsafe(ref w3, t);
            Vector256<byte> x = Vector256.LoadUnsafe(ref x0, t) & mask;
            a00 = Madd(a00, x, v0); a01 = Madd(a01, x, v1); a02 = Madd(a02, x, v2); a03 = Madd(a03, x, v3);
            x = Vector256.LoadUnsafe(ref x1, t) & mask;
            a10 = Madd(a10, x, v0); a11 = Madd(a11, x, v1); a12 = Madd(a12, x, v2); a13 = Madd(a13, x, v3);
            x = Vector256.LoadUnsafe(ref x2, t) & mask;
            a20 = Madd(a20, x, v0); a21 = Madd(a21, x, v1); a22 = Madd(a22, x, v2); a23 = Madd(a23, x, v3);
            x = Vector256.LoadUnsafe(ref x3, t) & mask;
            a30 = Madd(a30, x, v0); a31 = Madd(a31, x, v1); a32 = Madd(a32, x, v2); a33 = Madd(a33, x, v3);
            j += 32;
        }
        t0 = Sums(Fold(a00), Fold(a01), Fold(a02), Fold(a03));
        t1 = Sums(Fold(a10), Fold(a11), Fold(a12), Fold(a13));
        t2 = Sums(Fold(a20), Fold(a21), Fold(a22), Fold(a23));
        t3 = Sums(Fold(a30), Fold(a31), Fold(a32), Fold(a33));
    }

    // ------------------------------------------------------------------ one sample, short rows: blocks of 16 (8) rows, one transposing reduction

    /// <summary>Rows shorter than this go through <see cref="RowBlocks"/> for one sample; longer rows through the 4-row tiles.</summary>
    private const int ShortRow = 256;

    /// <summary>
    /// One sample's sums for rows of fewer than <see cref="ShortRow"/> inputs: blocks of 16 rows (Avx512BW, n ≥ 64) or
    /// 8 rows (Avx2, n ≥ 32), each row into its own accumulator, then one transposing add tree puts row j's total in
    /// lane j, so a block costs 15 (7) vector adds to reduce instead of a horizontal sum per row. When m is not a whole
    /// number of blocks, the last block overlaps the one before and stores only its new rows. Integer addition is exact
    /// and associative, so the totals are those of the 4-row tiles and of the scalar loop.
    /// </summary>
    private static void RowBlocks(ref sbyte w, int m, int n, ref byte x, ref int sums, bool subtract, bool wide)
    {
        int block = wide ? 16 : 8;
        Vector512<byte> mask512 = wide ? TailMask512(n) : default;
        Vector256<byte> mask256 = wide ? default : TailMask256(n);
        int done = 0;
        for (int o = 0; done < m; o = Math.Min(o + block, m - block))
        {
            ref int target = ref Unsafe.Add(ref sums, o);
            int fresh = done - o; // lanes below this were stored by the previous block
            if (wide)
            {
                Vector512<int> t = Rows16(ref Unsafe.Add(ref w, o * n), n, ref x, mask512);
                Vector512<int> old = subtract || fresh > 0 ? Vector512.LoadUnsafe(ref target) : default;
                Vector512<int> value = subtract ? old - t : t;
                if (fresh > 0) value = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(Lanes512, Vector512.Create(fresh)), value, old);
                value.StoreUnsafe(ref target);
            }
            else
            {
                Vector256<int> t = Rows8(ref Unsafe.Add(ref w, o * n), n, ref x, mask256);
                Vector256<int> old = subtract || fresh > 0 ? Vector256.LoadUnsafe(ref target) : default;
                Vector256<int> value = subtract ? old - t : t;
                if (fresh > 0) value = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(Lanes512.GetLower(), Vector256.Create(fresh)), value, old);
                value.StoreUnsafe(ref target);
            }
            done = o + block;
        }
    }

    /// <summary>The rows per block of <see cref="DenseRows{TAct}"/> for one sample of an [m × n] layer: 16 (Avx512BW), 8 (Avx2), or 0 (use the tiles).</summary>
    private static int OneSampleBlock(int m, int n) =>
        n >= ShortRow ? 0 : Avx512BW.IsSupported && n >= 64 && m >= 16 ? 16 : Avx2.IsSupported && n >= 32 && m >= 8 ? 8 : 0;

    /// <summary>
    /// One sample of a layer with short rows, each block of rows summed (<see cref="Rows16"/>, <see cref="Rows8"/>; the
    /// negative magnitudes subtracted when <paramref name="hasNegative"/>) and scaled back in registers with the very
    /// operations of <see cref="Rescale{TAct}"/>: (double)sum · ((double)s_x · s_w) + b, rounded once to float32. The last
    /// block overlaps the one before when m is not a whole number of blocks; it writes those rows again with the same values.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // kept out of DenseForward, which generated code inlines once per layer
    private static void DenseRows<TAct>(ref sbyte w, ref float ws, ref float b, int m, int n, ref byte positive, ref byte negative,
        bool hasNegative, float sx, ref float y, int block)
        where TAct : struct, IFusedActivation
    {
        if (block == 16)
        {
            Vector512<byte> mask = TailMask512(n);
            Vector512<double> vsx = Vector512.Create((double)sx);
            for (int o = 0; ; o = Math.Min(o + 16, m - 16))
            {
                ref sbyte wo = ref Unsafe.Add(ref w, o * n);
                Vector512<int> t = Rows16(ref wo, n, ref positive, mask);
                if (hasNegative) t -= Rows16(ref wo, n, ref negative, mask);
                Vector256<float> lo = Avx512F.ConvertToVector256Single(Avx512F.ConvertToVector512Double(t.GetLower())
                    * (vsx * Avx512F.ConvertToVector512Double(Vector256.LoadUnsafe(ref ws, (nuint)o)))
                    + Avx512F.ConvertToVector512Double(Vector256.LoadUnsafe(ref b, (nuint)o)));
                Vector256<float> hi = Avx512F.ConvertToVector256Single(Avx512F.ConvertToVector512Double(t.GetUpper())
                    * (vsx * Avx512F.ConvertToVector512Double(Vector256.LoadUnsafe(ref ws, (nuint)(o + 8))))
                    + Avx512F.ConvertToVector512Double(Vector256.LoadUnsafe(ref b, (nuint)(o + 8))));
                TAct.Apply(Vector512.Create(lo, hi)).StoreUnsafe(ref y, (nuint)o);
                if (o + 16 >= m) break;
            }
        }
        else
        {
            Vector256<byte> mask = TailMask256(n);
            Vector256<double> vsx = Vector256.Create((double)sx);
            for (int o = 0; ; o = Math.Min(o + 8, m - 8))
            {
                ref sbyte wo = ref Unsafe.Add(ref w, o * n);
                Vector256<int> t = Rows8(ref wo, n, ref positive, mask);
                if (hasNegative) t -= Rows8(ref wo, n, ref negative, mask);
                Vector128<float> lo = Avx.ConvertToVector128Single(Avx.ConvertToVector256Double(t.GetLower())
                    * (vsx * Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref ws, (nuint)o)))
                    + Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref b, (nuint)o)));
                Vector128<float> hi = Avx.ConvertToVector128Single(Avx.ConvertToVector256Double(t.GetUpper())
                    * (vsx * Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref ws, (nuint)(o + 4))))
                    + Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref b, (nuint)(o + 4))));
                TAct.Apply(Vector256.Create(lo, hi)).StoreUnsafe(ref y, (nuint)o);
                if (o + 8 >= m) break;
            }
        }
    }

    private static Vector512<int> Lanes512 => Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

    /// <summary>Lane j: Σ_i x[i] · w[j · n + i] for the sixteen rows from <paramref name="w"/>; n ≥ 64, the last vector overlapping and masked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Rows16(ref sbyte w, int n, ref byte x, Vector512<byte> tailMask)
    {
        Vector512<int> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        Vector512<int> s8 = default, s9 = default, s10 = default, s11 = default, s12 = default, s13 = default, s14 = default, s15 = default;
        Vector512<byte> mask = Vector512<byte>.AllBitsSet;
        int j = 0;
        while (true)
        {
            nuint t;
            if (j <= n - 64) t = (nuint)j;
            else if (j < n) { t = (nuint)(n - 64); mask = tailMask; }
            else break;
            Vector512<byte> xv = Vector512.LoadUnsafe(ref x, t) & mask;
            // p walks down the column block a row at a time
            ref sbyte p = ref Unsafe.Add(ref w, t);
            s0 = Madd(s0, xv, Vector512.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s1 = Madd(s1, xv, Vector512.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s2 = Madd(s2, xv, Vector512.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s3 = Madd(s3, xv, Vector512.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s4 = Madd(s4, xv, Vector512.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s5 = Madd(s5, xv, Vector512.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s6 = Madd(s6, xv, Vector512.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s7 = Madd(s7, xv, Vector512.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s8 = Madd(s8, xv, Vector512.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s9 = Madd(s9, xv, Vector512.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s10 = Madd(s10, xv, Vector512.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s11 = Madd(s11, xv, Vector512.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s12 = Madd(s12, xv, Vector512.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s13 = Madd(s13, xv, Vector512.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s14 = Madd(s14, xv, Vector512.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s15 = Madd(s15, xv, Vector512.LoadUnsafe(ref p));
            j += 64;
        }
        // level 1: [a.q0 + a.q2, a.q1 + a.q3, b.q0 + b.q2, b.q1 + b.q3] (q: 128-bit quarters)
        Vector512<int> h0 = Halves(s0, s4), h1 = Halves(s8, s12), h2 = Halves(s1, s5), h3 = Halves(s9, s13);
        Vector512<int> h4 = Halves(s2, s6), h5 = Halves(s10, s14), h6 = Halves(s3, s7), h7 = Halves(s11, s15);
        // level 2: quarter q holds four partial sums of one row: rows (0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15)
        Vector512<int> q0 = Quarters(h0, h1), q1 = Quarters(h2, h3), q2 = Quarters(h4, h5), q3 = Quarters(h6, h7);
        // level 3: in quarter q, [a(e0 + e2), a(e1 + e3), b(e0 + e2), b(e1 + e3)]
        Vector512<int> p0 = Avx512F.UnpackLow(q0.AsInt64(), q1.AsInt64()).AsInt32() + Avx512F.UnpackHigh(q0.AsInt64(), q1.AsInt64()).AsInt32();
        Vector512<int> p1 = Avx512F.UnpackLow(q2.AsInt64(), q3.AsInt64()).AsInt32() + Avx512F.UnpackHigh(q2.AsInt64(), q3.AsInt64()).AsInt32();
        // level 4: quarter q = rows 4q, 4q + 1, 4q + 2, 4q + 3
        return Avx512F.Shuffle(p0.AsSingle(), p1.AsSingle(), 0x88).AsInt32() + Avx512F.Shuffle(p0.AsSingle(), p1.AsSingle(), 0xDD).AsInt32();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector512<int> Halves(Vector512<int> a, Vector512<int> b) => Avx512F.Shuffle4x128(a, b, 0x44) + Avx512F.Shuffle4x128(a, b, 0xEE);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector512<int> Quarters(Vector512<int> a, Vector512<int> b) => Avx512F.Shuffle4x128(a, b, 0x88) + Avx512F.Shuffle4x128(a, b, 0xDD);
    }

    /// <summary>Lane j: Σ_i x[i] · w[j · n + i] for the eight rows from <paramref name="w"/>; n ≥ 32, the last vector overlapping and masked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Rows8(ref sbyte w, int n, ref byte x, Vector256<byte> tailMask)
    {
        Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        Vector256<byte> mask = Vector256<byte>.AllBitsSet;
        int j = 0;
        while (true)
        {
            nuint t;
            if (j <= n - 32) t = (nuint)j;
            else if (j < n) { t = (nuint)(n - 32); mask = tailMask; }
            else break;
            Vector256<byte> xv = Vector256.LoadUnsafe(ref x, t) & mask;
            ref sbyte p = ref Unsafe.Add(ref w, t);
            s0 = Madd(s0, xv, Vector256.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s1 = Madd(s1, xv, Vector256.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s2 = Madd(s2, xv, Vector256.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s3 = Madd(s3, xv, Vector256.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s4 = Madd(s4, xv, Vector256.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s5 = Madd(s5, xv, Vector256.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s6 = Madd(s6, xv, Vector256.LoadUnsafe(ref p));
            p = ref Unsafe.Add(ref p, n); s7 = Madd(s7, xv, Vector256.LoadUnsafe(ref p));
            j += 32;
        }
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
