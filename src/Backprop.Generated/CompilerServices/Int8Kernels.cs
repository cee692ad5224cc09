using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// The kernels of <c>Precision.Int8</c> networks: a layer's input quantized per sample (<see cref="Int8Quantization"/>:
/// symmetric, the scale a power of two with max|x| / scale in [63.75, 127.5)), int8 × int8 products accumulated exactly in int32, and the result scaled back to
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
/// goes instead by blocks of 8 rows, reduced together by one transposing add tree and scaled back in registers
/// (<c>Blocks</c>): a 4-row tile spends more on its horizontal sums than on its products there. Rows shorter than 128
/// bytes take 32-byte vectors even where Avx512BW exists: their add tree of 256-bit shuffles costs less than the
/// 512-bit one, and the products cost the same. Rows of exactly one or two such vectors (32 or 64 inputs) have a
/// version of their own (<c>WholeBlocks</c>): the quantized input held in registers for every block, constant row
/// offsets, no masks, the last 1 to 4 rows as a block of 4, and an input of both signs multiplied once, as |q| times the
/// weights signed by q (Σ |q|·(w·sign q) = Σ q·w; the sign flip negates a byte, which wraps for −128, so the one-sample
/// kernels take weights in [−127, 127], as <see cref="Int8Quantization"/> makes them). Each tile is written once over
/// the vector width (<c>IInt8Width</c>). A convolution lowered to a matrix product (im2col patches as the samples,
/// filters as the rows) can use <see cref="MatrixProduct"/> as it stands. Called by generated code; versioned with the
/// generator (one package).
/// </para>
/// <para>
/// One sample through a chain of Dense layers (the generated <c>ForwardOne</c>) quantizes each layer's input once:
/// <see cref="DenseForwardToNext{TAct}"/> and <see cref="DenseQuantizedToNext{TAct}"/> quantize their outputs for the
/// next layer as they make them (max|y| and min y kept in registers by the row blocks; the blocks for rows of exactly
/// 32 or 64 inputs (<c>WholeBlocks</c>), for a multiple of 32 outputs, also round them into bytes from the 32-byte
/// pieces they just stored; other shapes quantize y in a pass of their own), and <see cref="DenseQuantized{TAct}"/>
/// takes such an input. The bytes and scales are those <see cref="QuantizeInput"/> gives, so the bits are those of
/// <see cref="DenseForward{TAct}"/> layer after layer.
/// </para>
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Int8Kernels
{
    /// <summary>Bytes of scratch <see cref="DenseForward{TAct}"/> needs for <paramref name="samples"/> samples of <paramref name="inputs"/> values.</summary>
    public static int ScratchBytes(int inputs, int samples) => samples * (2 * inputs + 8);

    /// <summary>
    /// A Dense layer on <paramref name="samples"/> samples stored one after another (x [samples × n], y [samples × m]):
    /// y[s, o] = act(s_x[s] · s_w[o] · Σ_i q_x[s, i] · q_w[o, i] + b[o]), the sums exact in int32 and scaled back by
    /// <see cref="RescaleOne"/>'s rule (within 1 ulp of the exact value of the dequantized arithmetic). <paramref name="scratch"/>
    /// holds at least <see cref="ScratchBytes"/> bytes.
    /// <para>Weights must be in [−127, 127] (<see cref="Int8Quantization.QuantizeRows"/> makes them so): for an input of
    /// both signs, rows of 32 or 64 inputs multiply |q| by the weights signed by q, and negating −128 wraps. Not checked
    /// (it would read every weight on every call).</para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DenseForward<TAct>(ReadOnlySpan<sbyte> weights, ReadOnlySpan<float> weightScales, ReadOnlySpan<float> bias,
        int m, int n, ReadOnlySpan<float> x, int samples, Span<byte> scratch, Span<float> y)
        where TAct : struct, IFusedActivation
    {
        if (samples == 1)
        {
            OneFloats<TAct>(weights, weightScales, bias, m, n, x, scratch, y, next: false);
            return;
        }
        DenseSamples<TAct>(weights, weightScales, bias, m, n, x, samples, scratch, y);
    }

    /// <summary><see cref="DenseForward{TAct}"/> through <see cref="MatrixProduct"/> (a method of its own, so generated code inlines only the choice).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void DenseSamples<TAct>(ReadOnlySpan<sbyte> weights, ReadOnlySpan<float> weightScales, ReadOnlySpan<float> bias,
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
        // The int32 sums go into y's storage (m × samples ints = floats), then each is scaled back in place.
        Span<int> sums = MemoryMarshal.Cast<float, int>(y.Slice(0, samples * m));
        MatrixProduct(weights, m, n, positive, samples, sums, subtract: false);
        if (anyNegative)
        {
            MatrixProduct(weights, m, n, negative, samples, sums, subtract: true);
        }
        for (int s = 0; s < samples; s++)
        {
            Rescale<TAct>(sums.Slice(s * m, m), scales[s], weightScales, bias, y.Slice(s * m, m), n);
        }
    }

    /// <summary>
    /// The one rule by which an int8 layer's exact int32 sum t is scaled back to float32, z = s_x · s_w · t + b (before
    /// the activation), every path's lanes giving these bits:
    /// <list type="bullet">
    /// <item>fan-in n ≤ <see cref="Int8Quantization.MaxFloat32RescaleFanIn"/> (1,040: |t| ≤ n · 127² ≤ 2²⁴, so t is exact
    /// in float32) and s_x ⊗ s_w a normal float: z = fma(t, s_x ⊗ s_w, b). s_x is a power of two
    /// (<see cref="Int8Quantization.InputScale"/>), so s_x · s_w is then exact and z is the exact value rounded once, a
    /// cancellation between t · s_x · s_w and b included;</item>
    /// <item>otherwise (a wider layer; or s_x · s_w subnormal, zero or infinite, where it would lose bits or give NaN for
    /// t = 0): (float)(t · ((double)s_x · s_w) + b), s_x · s_w exact in float64, the product and the sum each rounded
    /// once in float64, then once to float32 (within 1 ulp of the exact value).</item>
    /// </list>
    /// The rule depends only on the layer's fan-in and the unit's s_x ⊗ s_w, so a layer gives the same bits for one
    /// sample and for a batch. The float32 form is what makes digits-sized layers quick: its latency is a conversion and
    /// a fused multiply-add, where float64 took two conversions more and eight-lane float64 arithmetic.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float RescaleOne(int sum, float sx, float sw, float b, bool float32)
    {
        float scale = sx * sw;
        return float32 && float.IsNormal(scale) ? MathF.FusedMultiplyAdd(sum, scale, b) : (float)(sum * ((double)sx * sw) + b);
    }

    /// <summary>
    /// y[o] = act(<see cref="RescaleOne"/>(sums[o], s_x, s_w[o], b[o])) for a layer of fan-in <paramref name="fanIn"/>, in
    /// place over the sums (y and sums share storage): eight float32 lanes (<see cref="ScaleChecked8"/>) or, for a fan-in past
    /// 1,040, four float64 lanes (Avx; such layers spend their time in the products), each step one IEEE operation, so
    /// the scalar bits.
    /// Int8ConvKernels rescales each output position's filters with it too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Rescale<TAct>(Span<int> sums, float sx, ReadOnlySpan<float> weightScales, ReadOnlySpan<float> bias, Span<float> y, int fanIn)
        where TAct : struct, IFusedActivation
    {
        int m = sums.Length;
        int o = 0;
        ref int sr = ref MemoryMarshal.GetReference(sums);
        ref float wr = ref MemoryMarshal.GetReference(weightScales);
        ref float br = ref MemoryMarshal.GetReference(bias);
        ref float yr = ref MemoryMarshal.GetReference(y);
        bool float32 = fanIn <= Int8Quantization.MaxFloat32RescaleFanIn;
        if (float32)
        {
            if (Fma.IsSupported)
            {
                for (; o <= m - 8; o += 8)
                {
                    TAct.Apply(ScaleChecked8(Vector256.LoadUnsafe(ref sr, (nuint)o), sx, ref Unsafe.Add(ref wr, o), ref Unsafe.Add(ref br, o))).StoreUnsafe(ref yr, (nuint)o);
                }
            }
        }
        else if (Avx.IsSupported)
        {
            Vector256<double> vsx = Vector256.Create((double)sx);
            for (; o <= m - 4; o += 4)
            {
                Vector256<double> acc = Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref sr, (nuint)o));
                Vector256<double> ws = Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref wr, (nuint)o));
                Vector256<double> b = Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref br, (nuint)o));
                TAct.Apply(Avx.ConvertToVector128Single(acc * (vsx * ws) + b)).StoreUnsafe(ref yr, (nuint)o);
            }
        }
        for (; o < m; o++)
        {
            y[o] = TAct.Apply(RescaleOne(sums[o], sx, weightScales[o], bias[o], float32));
        }
    }

    /// <summary>
    /// Quantizes one sample: <paramref name="positive"/>[i] = max(q_i, 0), <paramref name="negative"/>[i] = max(−q_i, 0)
    /// with q_i = <see cref="Int8Quantization.Quantize"/>(x_i, 1 / scale), scale = <see cref="Int8Quantization.InputScale"/>(max|x|) (returned). The negative
    /// magnitudes are written only when some x_i &lt; 0 (<paramref name="hasNegative"/>). The same bytes on every path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float QuantizeInput(ReadOnlySpan<float> x, Span<byte> positive, Span<byte> negative, out bool hasNegative)
    {
        if (positive.Length < x.Length || negative.Length < x.Length)
        {
            throw new ArgumentException($"Int8Kernels.QuantizeInput: {x.Length} values need {x.Length} bytes for each sign; got {positive.Length} and {negative.Length}.");
        }
        return Quantize(x, ref MemoryMarshal.GetReference(positive), ref MemoryMarshal.GetReference(negative), out hasNegative);
    }

    /// <summary>
    /// <see cref="QuantizeInput"/> into byte buffers of at least x.Length each, without its checks: a whole number of
    /// 32-value pieces shorter than <see cref="ShortRow"/> (at most 64 with Avx512BW) by <see cref="QuantizeShort"/> (Avx2), anything else by
    /// <see cref="MaxAbsMin"/> and <see cref="QuantizeScanned"/> (the one-sample layer asks for it inlined; at this size
    /// the JIT calls QuantizeScanned).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Quantize(ReadOnlySpan<float> x, ref byte pr, ref byte nr, out bool hasNegative)
    {
        // (with Avx512BW, rows of 128 inputs or more load 64 bytes, which 32-byte stores could not forward: those keep the
        // 64-byte stores of QuantizeScanned)
        if (Avx2.IsSupported && x.Length % 32 == 0 && x.Length is > 0 and < ShortRow && (x.Length <= 64 || !Avx512BW.IsSupported))
        {
            return QuantizeShort(x, ref pr, ref nr, out hasNegative);
        }
        (float maxAbs, float min) = MaxAbsMin(x);
        return QuantizeScanned(x, maxAbs, min, ref pr, ref nr, out hasNegative);
    }

    /// <summary>
    /// <see cref="Quantize"/> for a whole number of 32-value pieces, fewer than <see cref="ShortRow"/> values (Avx2): max|x|
    /// and min x by four independent chains, the scale and its inverse in every lane without a round trip through a
    /// scalar (<see cref="SpreadRange"/>), then <see cref="Quantize32"/> per piece; the bytes and scale of
    /// <see cref="QuantizeScanned"/>. Short: its time is mostly the latency from the inputs to the bytes the products read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float QuantizeShort(ReadOnlySpan<float> x, ref byte pr, ref byte nr, out bool hasNegative)
    {
        int n = x.Length;
        ref float xr = ref MemoryMarshal.GetReference(x);
        Vector256<float> v0 = Vector256.LoadUnsafe(ref xr), v1 = Vector256.LoadUnsafe(ref xr, 8);
        Vector256<float> v2 = Vector256.LoadUnsafe(ref xr, 16), v3 = Vector256.LoadUnsafe(ref xr, 24);
        Vector256<float> max0 = Vector256.Abs(v0), max1 = Vector256.Abs(v1), max2 = Vector256.Abs(v2), max3 = Vector256.Abs(v3);
        Vector256<float> min0 = v0, min1 = v1, min2 = v2, min3 = v3;
        for (int i = 32; i < n; i += 32)
        {
            v0 = Vector256.LoadUnsafe(ref xr, (nuint)i); v1 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 8));
            v2 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 16)); v3 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 24));
            max0 = MaxNative(max0, Vector256.Abs(v0)); max1 = MaxNative(max1, Vector256.Abs(v1));
            max2 = MaxNative(max2, Vector256.Abs(v2)); max3 = MaxNative(max3, Vector256.Abs(v3));
            min0 = MinNative(min0, v0); min1 = MinNative(min1, v1); min2 = MinNative(min2, v2); min3 = MinNative(min3, v3);
        }
        Vector256<float> scale = SpreadRange(MaxNative(MaxNative(max0, max1), MaxNative(max2, max3)),
            MinNative(MinNative(min0, min1), MinNative(min2, min3)), out Vector256<float> inverse, out hasNegative);
        for (int i = 0; i < n; i += 32)
        {
            Quantize32(ref Unsafe.Add(ref xr, i), inverse, ref Unsafe.Add(ref pr, i), ref Unsafe.Add(ref nr, i), hasNegative);
        }
        return scale.ToScalar();
    }

    /// <summary>max|x| and min(min x, 0) of finite values (either order of the reductions gives the same).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (float MaxAbs, float Min) MaxAbsMin(ReadOnlySpan<float> x)
    {
        int n = x.Length;
        ref float xr = ref MemoryMarshal.GetReference(x);
        float maxAbs = 0f;
        float min = 0f;
        int i = 0;
        // Short inputs (such as the outputs of the layer before, just stored eight floats at a time by the row blocks) are
        // read in the same 32-byte pieces, so each load is forwarded from one store; long ones a Vector512 at a time.
        if (Vector512.IsHardwareAccelerated && n >= ShortRow)
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
            Vector256<float> vmax = Vector256<float>.Zero, vmax1 = Vector256<float>.Zero;
            Vector256<float> vmin = Vector256<float>.Zero, vmin1 = Vector256<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                // two chains, so a max waits for the one two loads back
                Vector256<float> v = Vector256.LoadUnsafe(ref xr, (nuint)i), v1 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 8));
                vmax = MaxNative(vmax, Vector256.Abs(v));
                vmin = MinNative(vmin, v);
                vmax1 = MaxNative(vmax1, Vector256.Abs(v1));
                vmin1 = MinNative(vmin1, v1);
            }
            vmax = MaxNative(vmax, vmax1);
            vmin = MinNative(vmin, vmin1);
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
        return (maxAbs, min);
    }

    /// <summary>
    /// <see cref="Quantize"/> once max|x| (<paramref name="maxAbs"/>) and min(min x, 0) (<paramref name="min"/>) are
    /// known: the bytes of every value, the scale returned.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float QuantizeScanned(ReadOnlySpan<float> x, float maxAbs, float min, ref byte pr, ref byte nr, out bool hasNegative)
    {
        int n = x.Length;
        ref float xr = ref MemoryMarshal.GetReference(x);
        int i;
        float scale = Int8Quantization.InputScale(maxAbs);
        float inverse = Int8Quantization.InputInverseScale(maxAbs);
        hasNegative = min < 0f && scale != 0f;
        if (scale == 0f)
        {
            Unsafe.InitBlockUnaligned(ref pr, 0, (uint)n);
            return 0f;
        }
        i = 0;
        // v · 2^-k (exact) rounded to nearest even by the conversion (MXCSR's default mode), as Int8Quantization.Quantize;
        // the inverse is that of these values' own max|x|, so the levels lie within ±127 and need no clamp (see Quantize32)
        if (Avx512BW.IsSupported)
        {
            // 64 values into one 64-byte store (rows of 64-byte vectors load it whole, forwarded from the store):
            // saturating packs to int16 then to bytes (negatives to 0, so max(q, 0)), then the dwords back in order
            Vector512<float> vs = Vector512.Create(inverse);
            Vector512<int> order = Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
            for (; i <= n - 64; i += 64)
            {
                Vector512<int> q0 = Avx512F.ConvertToVector512Int32(Vector512.LoadUnsafe(ref xr, (nuint)i) * vs);
                Vector512<int> q1 = Avx512F.ConvertToVector512Int32(Vector512.LoadUnsafe(ref xr, (nuint)(i + 16)) * vs);
                Vector512<int> q2 = Avx512F.ConvertToVector512Int32(Vector512.LoadUnsafe(ref xr, (nuint)(i + 32)) * vs);
                Vector512<int> q3 = Avx512F.ConvertToVector512Int32(Vector512.LoadUnsafe(ref xr, (nuint)(i + 48)) * vs);
                Vector512<short> ab = Avx512BW.PackSignedSaturate(q0, q1), cd = Avx512BW.PackSignedSaturate(q2, q3);
                Avx512F.PermuteVar16x32(Avx512BW.PackUnsignedSaturate(ab, cd).AsInt32(), order).AsByte().StoreUnsafe(ref pr, (nuint)i);
                if (hasNegative) Avx512F.PermuteVar16x32(Avx512BW.PackUnsignedSaturate(-ab, -cd).AsInt32(), order).AsByte().StoreUnsafe(ref nr, (nuint)i);
            }
        }
        if (Avx2.IsSupported)
        {
            Vector256<float> vs = Vector256.Create(inverse);
            // 32 values into one 32-byte store (a row block of 32-byte vectors loads it whole)
            for (; i <= n - 32; i += 32)
            {
                Quantize32(ref Unsafe.Add(ref xr, i), vs, ref Unsafe.Add(ref pr, i), ref Unsafe.Add(ref nr, i), hasNegative);
            }
            for (; i <= n - 16; i += 16)
            {
                Vector256<int> q0 = Avx.ConvertToVector256Int32(Vector256.LoadUnsafe(ref xr, (nuint)i) * vs);
                Vector256<int> q1 = Avx.ConvertToVector256Int32(Vector256.LoadUnsafe(ref xr, (nuint)(i + 8)) * vs);
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

    /// <summary>[max of <paramref name="max"/>'s lanes, min of <paramref name="min"/>'s lanes, …] in one register (a pair of floats returned from a call goes through memory).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> ReducePair(Vector128<float> max, Vector128<float> min)
    {
        // lanes 0, 1 of a: max0, max1 ; of b: min0, min1 ... folded so lane 0 holds the max and lane 1 the min
        Vector128<float> a = MaxNative(max, Vector128.Shuffle(max, Vector128.Create(2, 3, 0, 1)));
        Vector128<float> b = MinNative(min, Vector128.Shuffle(min, Vector128.Create(2, 3, 0, 1)));
        Vector128<float> lo = Vector128.Create(a.ToScalar(), b.ToScalar(), 0f, 0f);
        Vector128<float> hi = Vector128.Create(a.GetElement(1), b.GetElement(1), 0f, 0f);
        return Vector128.ConditionalSelect(Vector128.Create(-1, 0, 0, 0).AsSingle(), MaxNative(lo, hi), MinNative(lo, hi));
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

    /// <summary>
    /// 32 values from <paramref name="xr"/> times <paramref name="vs"/> (the inverse scale in every lane), rounded to
    /// nearest even by the conversion (<see cref="Int8Quantization.Quantize"/>), into one 32-byte store of positive
    /// magnitudes and, when <paramref name="hasNegative"/>, one of negative ones (Avx2).
    /// <para><paramref name="vs"/> must be <see cref="Int8Quantization.InputInverseScale"/> of a max|x| at least as large as
    /// these values' magnitudes (every caller's: the max|x| of the very values quantized). Then |x · vs| &lt; 127.5 (the
    /// scale puts max|x| below 127.5 levels, and a power of two scales exactly), which rounds to at most 127: the clamp
    /// to ±127 of <see cref="Int8Quantization.Quantize"/> never acts, so it is not done (two steps off the path from
    /// the scale to the bytes).</para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quantize32(ref float xr, Vector256<float> vs, ref byte pr, ref byte nr, bool hasNegative)
    {
        // the in-lane saturating packs (one step each) of vectors read as 16-byte halves, values 0-3 | 16-19, 4-7 | 20-23,
        // 8-11 | 24-27 and 12-15 | 28-31, leave the bytes in order (no permute after the scale is known: the halves are
        // joined before); the levels are within ±127 (see above), so the saturations to int16 and to [0, 255] only take
        // the negatives to 0: max(q, 0)
        Vector256<short> a = Avx2.PackSignedSaturate(Avx.ConvertToVector256Int32(Halves(ref xr, 0) * vs), Avx.ConvertToVector256Int32(Halves(ref xr, 4) * vs));
        Vector256<short> b = Avx2.PackSignedSaturate(Avx.ConvertToVector256Int32(Halves(ref xr, 8) * vs), Avx.ConvertToVector256Int32(Halves(ref xr, 12) * vs));
        Avx2.PackUnsignedSaturate(a, b).StoreUnsafe(ref pr);
        if (hasNegative) Avx2.PackUnsignedSaturate(-a, -b).StoreUnsafe(ref nr);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<float> Halves(ref float xr, nuint at) => Vector256.Create(Vector128.LoadUnsafe(ref xr, at), Vector128.LoadUnsafe(ref xr, at + 16));
    }

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        int width = samples < 4 ? OneSampleWidth(m, n) : 0;
        if (width != 0)
        {
            for (int s = 0; s < samples; s++)
            {
                if (width == 64) RowBlocks<Int8Width512, Vector512<int>>(ref wr, m, n, ref Unsafe.Add(ref xr, s * n), ref Unsafe.Add(ref sr, s * m), subtract);
                else RowBlocks<Int8Width256, Vector256<int>>(ref wr, m, n, ref Unsafe.Add(ref xr, s * n), ref Unsafe.Add(ref sr, s * m), subtract);
            }
            return;
        }
        if (Avx512BW.IsSupported && n >= 64) Tiles<Int8Width512, Vector512<int>>(ref wr, m, n, ref xr, samples, ref sr, subtract);
        else if (Avx2.IsSupported && n >= 32) Tiles<Int8Width256, Vector256<int>>(ref wr, m, n, ref xr, samples, ref sr, subtract);
        else TilesScalar(ref wr, m, n, ref xr, samples, ref sr, subtract);
    }

    // ------------------------------------------------------------------ tiles: 4 rows × 1 or 4 samples, exact int32

    /// <summary><see cref="MatrixProduct"/> by tiles of 4 rows × 1 or 4 samples, <typeparamref name="TW"/>'s vectors (n ≥ its width).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // compiled once per width for every shape, not into each generated Forward
    private static void Tiles<TW, TV>(ref sbyte wr, int m, int n, ref byte xr, int samples, ref int sr, bool subtract)
        where TW : struct, IInt8Width<TV> where TV : struct
    {
        TV mask = TW.TailMask(n);
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
                    Store(ref sr, Tile4x1<TW, TV>(ref w0, ref w1, ref w2, ref w3, ref x0, n, mask), s0 * m + o0, m - o0, subtract);
                    continue;
                }
                ref byte x1 = ref Unsafe.Add(ref xr, Math.Min(s0 + 1, samples - 1) * n);
                ref byte x2 = ref Unsafe.Add(ref xr, Math.Min(s0 + 2, samples - 1) * n);
                ref byte x3 = ref Unsafe.Add(ref xr, Math.Min(s0 + 3, samples - 1) * n);
                Tile4x4<TW, TV>(ref w0, ref w1, ref w2, ref w3, ref x0, ref x1, ref x2, ref x3, n, mask, out Vector128<int> t0, out Vector128<int> t1, out Vector128<int> t2, out Vector128<int> t3);
                int left = samples - s0;
                Store(ref sr, t0, s0 * m + o0, m - o0, subtract);
                if (left > 1) Store(ref sr, t1, (s0 + 1) * m + o0, m - o0, subtract);
                if (left > 2) Store(ref sr, t2, (s0 + 2) * m + o0, m - o0, subtract);
                if (left > 3) Store(ref sr, t3, (s0 + 3) * m + o0, m - o0, subtract);
            }
        }
    }

    /// <summary><see cref="MatrixProduct"/> without SIMD (or rows shorter than a vector): one sum at a time, the same integers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TilesScalar(ref sbyte wr, int m, int n, ref byte xr, int samples, ref int sr, bool subtract)
    {
        for (int s = 0; s < samples; s++)
        {
            ref byte x = ref Unsafe.Add(ref xr, s * n);
            for (int o = 0; o < m; o++)
            {
                ref sbyte w = ref Unsafe.Add(ref wr, o * n);
                int a = 0;
                for (int j = 0; j < n; j++) a += Unsafe.Add(ref x, j) * Unsafe.Add(ref w, j);
                ref int target = ref Unsafe.Add(ref sr, s * m + o);
                target = subtract ? target - a : a;
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

    /// <summary>
    /// The next vector of a row walk: the whole vector at <paramref name="j"/>, or when fewer than a vector's bytes
    /// remain the last vector of the row (overlapping the one before) with <paramref name="mask"/> set to the tail mask;
    /// false when the row is done. Rows need no padding and no scalar tail.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Next<TW, TV>(int j, int n, TV tailMask, ref TV mask, out nuint at)
        where TW : struct, IInt8Width<TV> where TV : struct
    {
        if (j <= n - TW.Bytes)
        {
            at = (nuint)j;
            return true;
        }
        at = (nuint)(n - TW.Bytes);
        mask = tailMask;
        return j < n;
    }

    /// <summary>Σ_i x[i] · w_r[i] for the four rows w0 … w3 and one sample x (n ≥ the width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Tile4x1<TW, TV>(ref sbyte w0, ref sbyte w1, ref sbyte w2, ref sbyte w3, ref byte x, int n, TV tailMask)
        where TW : struct, IInt8Width<TV> where TV : struct
    {
        TV a0 = default, a1 = default, a2 = default, a3 = default;
        TV ones = TW.Pairs(1), mask = TW.AllBitsSet;
        for (int j = 0; Next<TW, TV>(j, n, tailMask, ref mask, out nuint t); j += TW.Bytes)
        {
            TV xv = TW.And(TW.Load(ref x, t), mask);
            a0 = TW.Madd(a0, xv, TW.Load(ref w0, t), ones);
            a1 = TW.Madd(a1, xv, TW.Load(ref w1, t), ones);
            a2 = TW.Madd(a2, xv, TW.Load(ref w2, t), ones);
            a3 = TW.Madd(a3, xv, TW.Load(ref w3, t), ones);
        }
        return Sums(TW.Fold(a0), TW.Fold(a1), TW.Fold(a2), TW.Fold(a3));
    }

    /// <summary>Four rows × four samples: each weight load feeds four samples (batches).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x4<TW, TV>(ref sbyte w0, ref sbyte w1, ref sbyte w2, ref sbyte w3,
        ref byte x0, ref byte x1, ref byte x2, ref byte x3, int n, TV tailMask,
        out Vector128<int> t0, out Vector128<int> t1, out Vector128<int> t2, out Vector128<int> t3)
        where TW : struct, IInt8Width<TV> where TV : struct
    {
        TV a00 = default, a01 = default, a02 = default, a03 = default;
        TV a10 = default, a11 = default, a12 = default, a13 = default;
        TV a20 = default, a21 = default, a22 = default, a23 = default;
        TV a30 = default, a31 = default, a32 = default, a33 = default;
        TV ones = TW.Pairs(1), mask = TW.AllBitsSet;
        for (int j = 0; Next<TW, TV>(j, n, tailMask, ref mask, out nuint t); j += TW.Bytes)
        {
            TV v0 = TW.Load(ref w0, t), v1 = TW.Load(ref w1, t), v2 = TW.Load(ref w2, t), v3 = TW.Load(ref w3, t);
            TV x = TW.And(TW.Load(ref x0, t), mask);
            a00 = TW.Madd(a00, x, v0, ones); a01 = TW.Madd(a01, x, v1, ones); a02 = TW.Madd(a02, x, v2, ones); a03 = TW.Madd(a03, x, v3, ones);
            x = TW.And(TW.Load(ref x1, t), mask);
            a10 = TW.Madd(a10, x, v0, ones); a11 = TW.Madd(a11, x, v1, ones); a12 = TW.Madd(a12, x, v2, ones); a13 = TW.Madd(a13, x, v3, ones);
            x = TW.And(TW.Load(ref x2, t), mask);
            a20 = TW.Madd(a20, x, v0, ones); a21 = TW.Madd(a21, x, v1, ones); a22 = TW.Madd(a22, x, v2, ones); a23 = TW.Madd(a23, x, v3, ones);
            x = TW.And(TW.Load(ref x3, t), mask);
            a30 = TW.Madd(a30, x, v0, ones); a31 = TW.Madd(a31, x, v1, ones); a32 = TW.Madd(a32, x, v2, ones); a33 = TW.Madd(a33, x, v3, ones);
        }
        t0 = Sums(TW.Fold(a00), TW.Fold(a01), TW.Fold(a02), TW.Fold(a03));
        t1 = Sums(TW.Fold(a10), TW.Fold(a11), TW.Fold(a12), TW.Fold(a13));
        t2 = Sums(TW.Fold(a20), TW.Fold(a21), TW.Fold(a22), TW.Fold(a23));
        t3 = Sums(TW.Fold(a30), TW.Fold(a31), TW.Fold(a32), TW.Fold(a33));
    }

    // ------------------------------------------------------------------ one sample, short rows: blocks of 8 rows, one transposing reduction

    /// <summary>Rows shorter than this go by blocks of 8 rows for one sample; longer rows through the 4-row tiles.</summary>
    private const int ShortRow = 256;

    /// <summary>
    /// Fails to compile if <see cref="ShortRow"/> passes <see cref="Int8Quantization.MaxFloat32RescaleFanIn"/> (a negative
    /// constant does not convert to uint): the row blocks rescale every row by the float32 rule, which holds only for
    /// such fan-ins.
    /// </summary>
    private const uint ShortRowTakesTheFloat32Rescale = Int8Quantization.MaxFloat32RescaleFanIn - ShortRow;

    /// <summary>
    /// The vector width in bytes one sample of an [m × n] layer goes by blocks of 8 rows with (<see cref="Rows8"/>):
    /// 64 (Avx512BW, n ≥ 128), 32 (Avx2, n ≥ 32; also where Avx512BW exists, see the class remarks), or 0 (use the
    /// tiles: long rows, fewer than 8 rows, no SIMD, or no Fma, which the blocks' rescale (<see cref="Scale8"/>) takes).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int OneSampleWidth(int m, int n) =>
        n >= ShortRow || m < 8 || !Fma.IsSupported ? 0 : Avx512BW.IsSupported && n >= 128 ? 64 : Avx2.IsSupported && n >= 32 ? 32 : 0;

    private static Vector256<int> Lanes8 => Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);

    /// <summary>
    /// One sample's sums for rows of fewer than <see cref="ShortRow"/> inputs, by blocks of 8 rows (<see cref="Rows8"/>).
    /// When m is not a whole number of blocks, the last block overlaps the one before and stores only its new rows.
    /// Integer addition is exact and associative, so the totals are those of the tiles and of the scalar loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowBlocks<TW, TV>(ref sbyte w, int m, int n, ref byte x, ref int sums, bool subtract)
        where TW : struct, IInt8Width<TV> where TV : struct
    {
        TV mask = TW.TailMask(n);
        int done = 0;
        for (int o = 0; done < m; o = Math.Min(o + 8, m - 8))
        {
            ref int target = ref Unsafe.Add(ref sums, o);
            int fresh = done - o; // lanes below this were stored by the previous block
            Vector256<int> t = Rows8<TW, TV>(ref Unsafe.Add(ref w, o * n), n, ref x, ref x, false, mask);
            Vector256<int> old = subtract || fresh > 0 ? Vector256.LoadUnsafe(ref target) : default;
            Vector256<int> value = subtract ? old - t : t;
            if (fresh > 0) value = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(Lanes8, Vector256.Create(fresh)), value, old);
            value.StoreUnsafe(ref target);
            done = o + 8;
        }
    }

    // ------------------------------------------------------------------ one sample, layer to layer: each layer's input quantized once

    /// <summary>
    /// One sample of a Dense layer from float inputs, as <see cref="DenseForward{TAct}"/>, then its outputs
    /// <paramref name="y"/> quantized as the next Dense layer's input into <paramref name="bytes"/> (at least
    /// 2 · max(n, m) of them: the positive magnitudes in [0, m), the negative ones in [m, 2m), written only when
    /// <paramref name="nextHasNegative"/>); returns their scale. The bytes and scale <see cref="QuantizeInput"/> of
    /// <paramref name="y"/> gives, with max|y| and min y taken as the outputs are made. Then
    /// <see cref="DenseQuantized{TAct}"/> or <see cref="DenseQuantizedToNext{TAct}"/> for the next layer.
    /// <para>Weights must be in [−127, 127] (<see cref="Int8Quantization.QuantizeRows"/> makes them so): for an input of
    /// both signs, rows of 32 or 64 inputs multiply |q| by the weights signed by q, and negating −128 wraps. Not checked
    /// (it would read every weight on every call).</para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float DenseForwardToNext<TAct>(ReadOnlySpan<sbyte> weights, ReadOnlySpan<float> weightScales, ReadOnlySpan<float> bias,
        int m, int n, ReadOnlySpan<float> x, Span<byte> bytes, Span<float> y, out bool nextHasNegative)
        where TAct : struct, IFusedActivation
    {
        if (x.Length < n || bytes.Length < 2 * Math.Max(n, m))
        {
            ThrowForwardToNext(m, n, x.Length, bytes.Length);
        }
        return Next(OneFloats<TAct>(weights, weightScales, bias, m, n, x, bytes, y, next: true), y, m, bytes, out nextHasNegative);
    }

    // The one-sample chain's length errors, each formatted in a method of its own: a message built inline would make
    // every call of the chain set up its formatting state in the prolog (these layers take tens of nanoseconds).

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowForwardToNext(int m, int n, int xLength, int bytesLength) =>
        throw new ArgumentException($"Int8Kernels.DenseForwardToNext: {n} inputs and {m} outputs need {n} values and {2 * Math.Max(n, m)} bytes; got {xLength} and {bytesLength}.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOneFloats(int m, int n, int weights, int weightScales, int bias, int x, int bytes, int y, bool next) =>
        throw new ArgumentException($"Int8Kernels.{(next ? "DenseForwardToNext" : "DenseForward")}: [{m} × {n}] needs {m * n} weights, {m} scales, {m} biases, {n} inputs, {2 * n} bytes and {m} outputs; got {weights}, {weightScales}, {bias}, {x}, {bytes} and {y}.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowQuantizedToNext(int m, int bytesLength) =>
        throw new ArgumentException($"Int8Kernels.DenseQuantizedToNext: {m} outputs need {2 * m} bytes to be quantized into; got {bytesLength}.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOneQuantized(int m, int n, int weights, int weightScales, int bias, int bytes, int y, bool next) =>
        throw new ArgumentException($"Int8Kernels.{(next ? "DenseQuantizedToNext" : "DenseQuantized")}: [{m} × {n}] needs {m * n} weights, {m} scales, {m} biases, {2 * n} input bytes and {m} outputs; got {weights}, {weightScales}, {bias}, {bytes} and {y}.");

    /// <summary>
    /// One sample from floats: the input quantized into <paramref name="bytes"/> (<see cref="Quantize"/>: for 32 or 64
    /// inputs, one 32-byte store per 32 values, the pieces the row blocks load, so each load is forwarded from one
    /// store), then <see cref="OneQuantized{TAct}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector128<float> OneFloats<TAct>(ReadOnlySpan<sbyte> weights, ReadOnlySpan<float> weightScales, ReadOnlySpan<float> bias,
        int m, int n, ReadOnlySpan<float> x, Span<byte> bytes, Span<float> y, bool next)
        where TAct : struct, IFusedActivation
    {
        if (weights.Length < m * n || weightScales.Length < m || bias.Length < m || x.Length < n || bytes.Length < 2 * n || y.Length < m)
        {
            ThrowOneFloats(m, n, weights.Length, weightScales.Length, bias.Length, x.Length, bytes.Length, y.Length, next);
        }
        ref byte pr = ref MemoryMarshal.GetReference(bytes);
        float sx = Quantize(x.Slice(0, n), ref pr, ref Unsafe.Add(ref pr, n), out bool hasNegative);
        return OneQuantized<TAct>(weights, weightScales, bias, m, n, bytes, sx, hasNegative, y, next);
    }

    /// <summary>
    /// From lane-wise maxima of |x| and minima of x: the scale <see cref="Int8Quantization.InputScale"/>(max|x|) in every
    /// lane (returned), its inverse in every lane (0 where the scale is 0, as <see cref="QuantizeScanned"/>), and whether some x &lt; 0
    /// with a scale that is not 0; each lane the bits of the scalar rule.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> SpreadRange(Vector256<float> max, Vector256<float> min, out Vector256<float> inverse, out bool hasNegative)
    {
        max = MaxNative(max, Avx.Permute2x128(max, max, 0x01));
        min = MinNative(min, Avx.Permute2x128(min, min, 0x01));
        max = MaxNative(max, Avx.Permute(max, 0x4E));
        min = MinNative(min, Avx.Permute(min, 0x4E));
        max = MaxNative(max, Avx.Permute(max, 0xB1));
        min = MinNative(min, Avx.Permute(min, 0xB1));
        // Int8Quantization.InputScale and InputInverseScale lane by lane, from the bits (no division): both 0 below
        // SmallestInputMaxAbs
        Vector256<float> zero = Vector256.LessThan(max, Vector256.Create(Int8Quantization.SmallestInputMaxAbs));
        Vector256<int> bits = max.AsInt32();
        Vector256<int> scaleBits = Int8Quantization.InputScaleBits(bits);
        inverse = Vector256.AndNot((Vector256.Create(Int8Quantization.InverseBits) - scaleBits).AsSingle(), zero);
        Vector256<float> scale = Vector256.AndNot(scaleBits.AsSingle(), zero);
        hasNegative = min.ToScalar() < 0f && zero.ToScalar() == 0f;
        return scale;
    }

    /// <summary>
    /// The next layer's scale and sign flag from what the row blocks returned: taken as they are when the blocks
    /// quantized the outputs already (lane 2 set: lane 0 the scale, lane 1 whether negative magnitudes were written),
    /// else the outputs quantized from the max|y| (lane 0) and min y (lane 1) the blocks or the tiles found.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Next(Vector128<float> range, Span<float> y, int m, Span<byte> bytes, out bool nextHasNegative)
    {
        if (range.GetElement(2) != 0f)
        {
            nextHasNegative = range.GetElement(1) != 0f;
            return range.ToScalar();
        }
        ref byte pr = ref MemoryMarshal.GetReference(bytes);
        return QuantizeScanned(y.Slice(0, m), range.ToScalar(), range.GetElement(1), ref pr, ref Unsafe.Add(ref pr, m), out nextHasNegative);
    }

    /// <summary>
    /// One sample of a Dense layer whose input is already quantized in <paramref name="bytes"/> (as
    /// <see cref="DenseForwardToNext{TAct}"/> leaves it: positive magnitudes in [0, n), negative ones in [n, 2n) when
    /// <paramref name="hasNegative"/>; scale <paramref name="sx"/>):
    /// y[o] = act(s_x · s_w[o] · Σ_i q_x[i] · q_w[o, i] + b[o]), the same bits as <see cref="DenseForward{TAct}"/>.
    /// <para>Weights must be in [−127, 127] (<see cref="Int8Quantization.QuantizeRows"/> makes them so): for an input of
    /// both signs, rows of 32 or 64 inputs multiply |q| by the weights signed by q, and negating −128 wraps. Not checked
    /// (it would read every weight on every call).</para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DenseQuantized<TAct>(ReadOnlySpan<sbyte> weights, ReadOnlySpan<float> weightScales, ReadOnlySpan<float> bias,
        int m, int n, ReadOnlySpan<byte> bytes, float sx, bool hasNegative, Span<float> y)
        where TAct : struct, IFusedActivation
    {
        OneQuantized<TAct>(weights, weightScales, bias, m, n, bytes, sx, hasNegative, y, next: false);
    }

    /// <summary>
    /// <see cref="DenseQuantized{TAct}"/>, then its outputs <paramref name="y"/> quantized as the next Dense layer's input
    /// into <paramref name="bytes"/> (whose input bytes are no longer needed; at least 2 · m of them), returning their
    /// scale and <paramref name="nextHasNegative"/>: the bytes <see cref="QuantizeInput"/> of <paramref name="y"/> would
    /// give, with max|y| and min y taken as the outputs are made instead of in a pass of their own.
    /// <para>Weights must be in [−127, 127] (<see cref="Int8Quantization.QuantizeRows"/> makes them so): for an input of
    /// both signs, rows of 32 or 64 inputs multiply |q| by the weights signed by q, and negating −128 wraps. Not checked
    /// (it would read every weight on every call).</para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float DenseQuantizedToNext<TAct>(ReadOnlySpan<sbyte> weights, ReadOnlySpan<float> weightScales, ReadOnlySpan<float> bias,
        int m, int n, Span<byte> bytes, float sx, bool hasNegative, Span<float> y, out bool nextHasNegative)
        where TAct : struct, IFusedActivation
    {
        if (bytes.Length < 2 * m)
        {
            ThrowQuantizedToNext(m, bytes.Length);
        }
        return Next(OneQuantized<TAct>(weights, weightScales, bias, m, n, bytes, sx, hasNegative, y, next: true), y, m, bytes, out nextHasNegative);
    }

    /// <summary>
    /// <see cref="DenseQuantized{TAct}"/>'s work, returning max|y| and min(min y, 0): by blocks of 8 rows
    /// (<see cref="Blocks{TAct, TW, TV}"/>) where <see cref="OneSampleWidth"/> says so, else the tiles and
    /// <see cref="Rescale{TAct}"/>, then a scan of y. Inlined, so a layer's call reaches the row blocks directly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static Vector128<float> OneQuantized<TAct>(ReadOnlySpan<sbyte> weights, ReadOnlySpan<float> weightScales, ReadOnlySpan<float> bias,
        int m, int n, ReadOnlySpan<byte> bytes, float sx, bool hasNegative, Span<float> y, bool next)
        where TAct : struct, IFusedActivation
    {
        if (weights.Length < m * n || weightScales.Length < m || bias.Length < m || bytes.Length < 2 * n || y.Length < m)
        {
            ThrowOneQuantized(m, n, weights.Length, weightScales.Length, bias.Length, bytes.Length, y.Length, next);
        }
        ref byte pr = ref MemoryMarshal.GetReference(bytes);
        ref byte nr = ref Unsafe.Add(ref pr, n);
        int width = OneSampleWidth(m, n);
        if (width == 32 && n == 64)
        {
            return WholeBlocks<TAct, Int8Width256, Vector256<int>, Two>(ref MemoryMarshal.GetReference(weights), ref MemoryMarshal.GetReference(weightScales),
                ref MemoryMarshal.GetReference(bias), m, ref pr, ref nr, hasNegative, sx, ref MemoryMarshal.GetReference(y), next);
        }
        if (width == 32 && n == 32)
        {
            return WholeBlocks<TAct, Int8Width256, Vector256<int>, One>(ref MemoryMarshal.GetReference(weights), ref MemoryMarshal.GetReference(weightScales),
                ref MemoryMarshal.GetReference(bias), m, ref pr, ref nr, hasNegative, sx, ref MemoryMarshal.GetReference(y), next);
        }
        if (width == 64)
        {
            return Blocks<TAct, Int8Width512, Vector512<int>>(ref MemoryMarshal.GetReference(weights), ref MemoryMarshal.GetReference(weightScales),
                ref MemoryMarshal.GetReference(bias), m, n, ref pr, ref nr, hasNegative, sx, ref MemoryMarshal.GetReference(y));
        }
        if (width == 32)
        {
            return Blocks<TAct, Int8Width256, Vector256<int>>(ref MemoryMarshal.GetReference(weights), ref MemoryMarshal.GetReference(weightScales),
                ref MemoryMarshal.GetReference(bias), m, n, ref pr, ref nr, hasNegative, sx, ref MemoryMarshal.GetReference(y));
        }
        return OneByTiles<TAct>(weights, weightScales, bias, m, n, bytes, sx, hasNegative, y);
    }

    /// <summary>One sample through <see cref="MatrixProduct"/> and <see cref="Rescale{TAct}"/> (long rows, few rows, no SIMD), then a scan of y.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static Vector128<float> OneByTiles<TAct>(ReadOnlySpan<sbyte> weights, ReadOnlySpan<float> weightScales, ReadOnlySpan<float> bias,
        int m, int n, ReadOnlySpan<byte> bytes, float sx, bool hasNegative, Span<float> y)
        where TAct : struct, IFusedActivation
    {
        Span<int> sums = MemoryMarshal.Cast<float, int>(y.Slice(0, m));
        MatrixProduct(weights, m, n, bytes.Slice(0, n), 1, sums, subtract: false);
        if (hasNegative) MatrixProduct(weights, m, n, bytes.Slice(n, n), 1, sums, subtract: true);
        Rescale<TAct>(sums, sx, weightScales, bias, y.Slice(0, m), n);
        (float maxAbs, float min) = MaxAbsMin(y.Slice(0, m));
        return Vector128.Create(maxAbs, min, 0f, 0f);
    }

    /// <summary>
    /// The row blocks' layer again through <see cref="OneByTiles{TAct}"/> (exact sums, then <see cref="Rescale{TAct}"/>,
    /// which gives a unit whose s_x ⊗ s_w is not a normal float its float64 form): what the blocks do when they find such
    /// a unit (extreme magnitudes, a zero row or sample). Returns max|y| and min y without quantizing the next input, so
    /// <see cref="Next"/> does that from y.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector128<float> Redo<TAct>(ref sbyte w, ref float ws, ref float b, int m, int n, ref byte pr, bool hasNegative, float sx, ref float yr)
        where TAct : struct, IFusedActivation =>
        OneByTiles<TAct>(MemoryMarshal.CreateReadOnlySpan(ref w, m * n), MemoryMarshal.CreateReadOnlySpan(ref ws, m), MemoryMarshal.CreateReadOnlySpan(ref b, m),
            m, n, MemoryMarshal.CreateReadOnlySpan(ref pr, 2 * n), sx, hasNegative, MemoryMarshal.CreateSpan(ref yr, m));

    /// <summary>
    /// One sample's layer by blocks of 8 rows: each block summed (<see cref="Rows8"/>) and scaled back in registers
    /// with the very operations of <see cref="Rescale{TAct}"/> (<see cref="Scale8"/>); returns max|y| and min(min y, 0),
    /// taken from the registers. The last block overlaps the one before when m is not a whole number of blocks; it
    /// writes those rows again with the same values.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static Vector128<float> Blocks<TAct, TW, TV>(ref sbyte w, ref float ws, ref float b, int m, int n,
        ref byte pr, ref byte nr, bool hasNegative, float sx, ref float yr)
        where TAct : struct, IFusedActivation where TW : struct, IInt8Width<TV> where TV : struct
    {
        TV mask = TW.TailMask(n);
        Vector256<float> max = Vector256<float>.Zero, min = Vector256<float>.Zero;
        Vector256<uint> abnormal = Vector256<uint>.Zero;
        // The last 8 rows first, then the blocks from row 0: where the last block overlaps the one before, the later
        // store holds every value a reader's aligned load wants, so the next layer's loads are forwarded from one store.
        int blocks = (m + 7) / 8, overlapping = m % 8 == 0 ? 0 : 1;
        for (int k = 0; k < blocks; k++)
        {
            int o = k < overlapping ? m - 8 : 8 * (k - overlapping);
            Vector256<int> t = Rows8<TW, TV>(ref Unsafe.Add(ref w, o * n), n, ref pr, ref nr, hasNegative, mask);
            Vector256<float> v = TAct.Apply(Scale8(t, sx, ref Unsafe.Add(ref ws, o), ref Unsafe.Add(ref b, o), ref abnormal));
            v.StoreUnsafe(ref yr, (nuint)o);
            max = MaxNative(max, Vector256.Abs(v));
            min = MinNative(min, v);
        }
        if (abnormal != Vector256<uint>.Zero)
        {
            return Redo<TAct>(ref w, ref ws, ref b, m, n, ref pr, hasNegative, sx, ref yr);
        }
        return ReducePair(MaxNative(max.GetLower(), max.GetUpper()), MinNative(min.GetLower(), min.GetUpper()));
    }

    /// <summary>One vector per row, as a type.</summary>
    private readonly struct One : IConstantSize { public static int Value => 1; }

    /// <summary>Two vectors per row, as a type.</summary>
    private readonly struct Two : IConstantSize { public static int Value => 2; }

    /// <summary>
    /// <see cref="Blocks{TAct, TW, TV}"/> for rows of exactly <typeparamref name="TK"/> (1 or 2) whole vectors: the
    /// quantized input loaded once into registers for every block, each row's products summed without a mask, the row
    /// stride a constant (so each row's loads take constant offsets). The same integers, the same bits. Without
    /// <paramref name="next"/> it returns nothing of use (no caller reads the range then).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static Vector128<float> WholeBlocks<TAct, TW, TV, TK>(ref sbyte w, ref float ws, ref float b, int m,
        ref byte pr, ref byte nr, bool hasNegative, float sx, ref float yr, bool next)
        where TAct : struct, IFusedActivation where TW : struct, IInt8Width<TV> where TV : struct where TK : struct, IConstantSize
    {
        int n = TK.Value * TW.Bytes;
        TV plus = TW.Pairs(1);
        TV p0 = TW.Load(ref pr, 0), p1 = TK.Value > 1 ? TW.Load(ref pr, (nuint)TW.Bytes) : default;
        // an input of both signs: |q| = q⁺ | q⁻ as the unsigned operand and q = q⁺ − q⁻ (in [−127, 127]) signing the
        // weights, so one product per weight (Σ |q| · (w · sign q) = Σ q · w) instead of one per sign
        TV s0 = default, s1 = default;
        if (hasNegative)
        {
            TV n0 = TW.Load(ref nr, 0);
            s0 = TW.Subtract(p0, n0);
            p0 = TW.Or(p0, n0);
            if (TK.Value > 1)
            {
                TV n1 = TW.Load(ref nr, (nuint)TW.Bytes);
                s1 = TW.Subtract(p1, n1);
                p1 = TW.Or(p1, n1);
            }
        }
        Vector256<float> max = Vector256<float>.Zero, min = Vector256<float>.Zero;
        Vector256<uint> abnormal = Vector256<uint>.Zero;
        int blocks = (m + 7) / 8, overlapping = m % 8 == 0 ? 0 : 1;
        if (m % 8 is > 0 and <= 4)
        {
            // the last 1 to 4 rows as a block of 4 (the rows m − 4 … m − 1, stored first as the last 8-row block would be):
            // half the products of an overlapping 8-row block, and a shorter add tree
            int o4 = m - 4;
            ref sbyte r4 = ref Unsafe.Add(ref w, o4 * n);
            Vector128<int> t4 = hasNegative
                ? Sums(TW.Fold(Signed(ref r4, 0)), TW.Fold(Signed(ref r4, 1)), TW.Fold(Signed(ref r4, 2)), TW.Fold(Signed(ref r4, 3)))
                : Sums(TW.Fold(Row(ref r4, 0)), TW.Fold(Row(ref r4, 1)), TW.Fold(Row(ref r4, 2)), TW.Fold(Row(ref r4, 3)));
            Vector128<float> v4 = TAct.Apply(Scale4(t4, sx, ref Unsafe.Add(ref ws, o4), ref Unsafe.Add(ref b, o4), ref abnormal));
            v4.StoreUnsafe(ref yr, (nuint)o4);
            max = Vector256.Create(Vector128.Abs(v4), Vector128.Abs(v4));
            min = Vector256.Create(MinNative(v4, Vector128<float>.Zero), MinNative(v4, Vector128<float>.Zero));
            blocks--;
            overlapping = 0;
        }
        for (int k = 0; k < blocks; k++)
        {
            int o = k < overlapping ? m - 8 : 8 * (k - overlapping);
            ref sbyte r = ref Unsafe.Add(ref w, o * n);
            Vector256<int> t;
            if (hasNegative)
            {
                t = TW.Totals(Signed(ref r, 0), Signed(ref r, 1), Signed(ref r, 2), Signed(ref r, 3), Signed(ref r, 4), Signed(ref r, 5), Signed(ref r, 6), Signed(ref r, 7));
            }
            else
            {
                t = TW.Totals(Row(ref r, 0), Row(ref r, 1), Row(ref r, 2), Row(ref r, 3), Row(ref r, 4), Row(ref r, 5), Row(ref r, 6), Row(ref r, 7));
            }
            Vector256<float> v = TAct.Apply(Scale8(t, sx, ref Unsafe.Add(ref ws, o), ref Unsafe.Add(ref b, o), ref abnormal));
            v.StoreUnsafe(ref yr, (nuint)o);
            max = MaxNative(max, Vector256.Abs(v));
            min = MinNative(min, v);
        }
        if (abnormal != Vector256<uint>.Zero)
        {
            // some s_x ⊗ s_w is not a normal float: the layer again by the general path (the input bytes are still here)
            return Redo<TAct>(ref w, ref ws, ref b, m, n, ref pr, hasNegative, sx, ref yr);
        }
        if (!next)
        {
            return default; // nothing follows that reads the range (DenseForward, DenseQuantized)
        }
        if (m % 32 != 0)
        {
            return ReducePair(MaxNative(max.GetLower(), max.GetUpper()), MinNative(min.GetLower(), min.GetUpper()));
        }
        // The next layer's input quantized here, from the outputs just stored (read back in the stores' 32-byte pieces),
        // into the bytes whose input this layer no longer needs, with no round trip through a scalar.
        Vector256<float> scale = SpreadRange(max, min, out Vector256<float> inverse, out bool negative);
        for (int i = 0; i < m; i += 32)
        {
            Quantize32(ref Unsafe.Add(ref yr, i), inverse, ref Unsafe.Add(ref pr, i), ref Unsafe.Add(ref pr, m + i), negative);
        }
        return Vector128.Create(scale.ToScalar(), negative ? 1f : 0f, 1f, 0f);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        TV Row(ref sbyte r, int row)
        {
            nuint at = (nuint)(row * TK.Value * TW.Bytes);
            TV s = TW.Dot(p0, TW.Load(ref r, at), plus);
            return TK.Value > 1 ? TW.Madd(s, p1, TW.Load(ref r, at + (nuint)TW.Bytes), plus) : s;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        TV Signed(ref sbyte r, int row)
        {
            nuint at = (nuint)(row * TK.Value * TW.Bytes);
            TV s = TW.Dot(p0, TW.Sign(TW.Load(ref r, at), s0), plus);
            return TK.Value > 1 ? TW.Madd(s, p1, TW.Sign(TW.Load(ref r, at + (nuint)TW.Bytes), s1), plus) : s;
        }
    }

    /// <summary>Four lanes of <see cref="Scale8"/>: the same IEEE operations (Fma), the same gathering of abnormal lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Scale4(Vector128<int> t, float sx, ref float ws, ref float b, ref Vector256<uint> abnormal)
    {
        Vector128<float> scale = Vector128.Create(sx) * Vector128.LoadUnsafe(ref ws);
        Vector128<uint> lanes = Abnormal(scale);
        abnormal |= Vector256.Create(lanes, lanes);
        return Fma.MultiplyAdd(Sse2.ConvertToVector128Single(t), scale, Vector128.LoadUnsafe(ref b));
    }

    /// <summary>
    /// Eight lanes of <see cref="RescaleOne"/>'s float32 rule before the activation, for the one-sample row blocks (a
    /// fan-in under 256, within 1,040; Fma, which <see cref="OneSampleWidth"/> requires): z = fma(t, s_x ⊗ s_w, b), each
    /// step one IEEE operation, so the scalar bits while every s_x ⊗ s_w is a normal float. Lanes where it is not are
    /// gathered into <paramref name="abnormal"/> rather than branched on (a branch to an out-of-line call in the blocks'
    /// loop cost 2 to 10 ns a layer): a caller that finds any redoes the layer through <see cref="OneByTiles{TAct}"/>,
    /// whose <see cref="Rescale{TAct}"/> takes those units' float64 form.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Scale8(Vector256<int> t, float sx, ref float ws, ref float b, ref Vector256<uint> abnormal)
    {
        Vector256<float> scale = Vector256.Create(sx) * Vector256.LoadUnsafe(ref ws);
        abnormal |= Abnormal(scale);
        return Fma.MultiplyAdd(Avx.ConvertToVector256Single(t), scale, Vector256.LoadUnsafe(ref b));
    }

    /// <summary>
    /// <see cref="Scale8"/> for <see cref="Rescale{TAct}"/>'s loop: a block with an s_x ⊗ s_w outside the normal range
    /// goes lane by lane through <see cref="RescaleOne"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ScaleChecked8(Vector256<int> t, float sx, ref float ws, ref float b)
    {
        Vector256<uint> abnormal = Vector256<uint>.Zero;
        Vector256<float> z = Scale8(t, sx, ref ws, ref b, ref abnormal);
        return abnormal == Vector256<uint>.Zero
            ? z
            : Vector256.Create(ScaleLanes(t.GetLower(), sx, ref ws, ref b), ScaleLanes(t.GetUpper(), sx, ref Unsafe.Add(ref ws, 4), ref Unsafe.Add(ref b, 4)));
    }

    /// <summary>Four lanes through <see cref="RescaleOne"/> (rare: out of line).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector128<float> ScaleLanes(Vector128<int> t, float sx, ref float ws, ref float b) =>
        Vector128.Create(
            RescaleOne(t.GetElement(0), sx, ws, b, float32: true),
            RescaleOne(t.GetElement(1), sx, Unsafe.Add(ref ws, 1), Unsafe.Add(ref b, 1), float32: true),
            RescaleOne(t.GetElement(2), sx, Unsafe.Add(ref ws, 2), Unsafe.Add(ref b, 2), float32: true),
            RescaleOne(t.GetElement(3), sx, Unsafe.Add(ref ws, 3), Unsafe.Add(ref b, 3), float32: true));

    /// <summary>All bits set in the lanes that are not normal floats: exponent field, less one, at or above 0xFE (unsigned: 0 and 0xFF).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Abnormal(Vector128<float> v) =>
        Vector128.GreaterThanOrEqual((v.AsUInt32() & Vector128.Create(0x7F800000u)) - Vector128.Create(0x00800000u), Vector128.Create(0x7F000000u));

    /// <summary><see cref="Abnormal(Vector128{float})"/> of eight lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Abnormal(Vector256<float> v) =>
        Vector256.GreaterThanOrEqual((v.AsUInt32() & Vector256.Create(0x7F800000u)) - Vector256.Create(0x00800000u), Vector256.Create(0x7F000000u));

    /// <summary>
    /// Lane r: Σ_i q⁺[i] · w[r · n + i] − Σ_i q⁻[i] · w[r · n + i] for the eight rows from <paramref name="w"/> (n ≥ the
    /// width, the last vector of a row overlapping and masked), each row into its own accumulator, then one transposing
    /// add tree (<see cref="IInt8Width{TVec}.Totals"/>). The negative magnitudes are walked only when
    /// <paramref name="hasNegative"/>, into the same accumulators with the pairs weighed by −1: one loop, one call site.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Rows8<TW, TV>(ref sbyte w, int n, ref byte positive, ref byte negative, bool hasNegative, TV tailMask)
        where TW : struct, IInt8Width<TV> where TV : struct
    {
        TV s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        TV pairs = TW.Pairs(1), mask = TW.AllBitsSet;
        ref byte x = ref positive;
        int j = 0;
        while (true)
        {
            if (!Next<TW, TV>(j, n, tailMask, ref mask, out nuint t))
            {
                if (!hasNegative) break;
                // the second walk: the negative magnitudes, subtracted
                hasNegative = false;
                x = ref negative;
                pairs = TW.Pairs(-1);
                mask = TW.AllBitsSet;
                j = 0;
                continue;
            }
            TV xv = TW.And(TW.Load(ref x, t), mask);
            // p walks down the column block a row at a time
            ref sbyte p = ref Unsafe.Add(ref w, t);
            s0 = TW.Madd(s0, xv, TW.Load(ref p, 0), pairs);
            p = ref Unsafe.Add(ref p, n); s1 = TW.Madd(s1, xv, TW.Load(ref p, 0), pairs);
            p = ref Unsafe.Add(ref p, n); s2 = TW.Madd(s2, xv, TW.Load(ref p, 0), pairs);
            p = ref Unsafe.Add(ref p, n); s3 = TW.Madd(s3, xv, TW.Load(ref p, 0), pairs);
            p = ref Unsafe.Add(ref p, n); s4 = TW.Madd(s4, xv, TW.Load(ref p, 0), pairs);
            p = ref Unsafe.Add(ref p, n); s5 = TW.Madd(s5, xv, TW.Load(ref p, 0), pairs);
            p = ref Unsafe.Add(ref p, n); s6 = TW.Madd(s6, xv, TW.Load(ref p, 0), pairs);
            p = ref Unsafe.Add(ref p, n); s7 = TW.Madd(s7, xv, TW.Load(ref p, 0), pairs);
            j += TW.Bytes;
        }
        return TW.Totals(s0, s1, s2, s3, s4, s5, s6, s7);
    }
}
