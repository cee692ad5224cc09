using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// The fast path of <see cref="ConvKernels"/>: every convolution sum as a register-tiled product in which the vector
/// lanes run over filters (output channels) and each input value is broadcast, read straight from a zero-padded copy of
/// the sample's planes, so no im2col matrix is built:
/// <list type="bullet">
/// <item>forward: 6 output positions × 2 vectors of filters in registers, over the fan-in k = (c, u, v):
/// <c>acc[j, f] += in_pad[k's offset + j's offset] · Wᵀ[k, f]</c> (Wᵀ packed once per call, filters padded to whole vectors);</item>
/// <item>input gradient (stride 1): the same loop as a stride-1 convolution of ∂L/∂z, padded by <c>dilation·(k−1) − padding</c>
/// on each side, with the filters flipped and input and output channels swapped: <c>W'[c, f, u', v'] = W[f, c, k−1−u', k−1−v']</c>;</item>
/// <item>weight gradient: 6 fan-in rows k × 2 vectors of filters over the output positions j of every sample:
/// <c>∂Wᵀ[k, f] += in_pad[k's offset + j's offset] · ∂zᵀ[j, f]</c>, ∂zᵀ being one sample's ∂L/∂z transposed.</item>
/// </list>
/// One tile is 12 accumulators, 2 vector loads and 6 broadcasts per 12 fused multiply-adds: enough independent chains
/// for the FMA latency on both widths, and within the 16 registers of an AVX2 machine. Written once over the SIMD width
/// (<see cref="ISimdWidth{TVec}"/>). Scratch is a per-thread buffer of its own (not <see cref="ThreadScratch"/>,
/// which a generated <c>Forward</c> may be holding while it calls these kernels): nothing is allocated after a thread's
/// first call at the largest shape.
/// </summary>
internal static class ConvGemm
{
    /// <summary>Rows of a register tile (output positions in the forward pass, fan-in entries in the weight gradient).</summary>
    private const int Rows = 6;

    [ThreadStatic]
    private static AlignedFloats? t_floats;

    [ThreadStatic]
    private static int[]? t_ints;

    /// <summary>True where the tiled kernels run (else <see cref="ConvKernels"/> keeps its plain loops).</summary>
    public static bool IsAccelerated => Vector512.IsHardwareAccelerated || Vector256.IsHardwareAccelerated;

    private static int VectorCount => Vector512.IsHardwareAccelerated ? 16 : 8;

    /// <summary>
    /// One convolution as the kernels see it: per sample, <see cref="Channels"/> planes of <see cref="InHeight"/> ×
    /// <see cref="InWidth"/> in, <see cref="Filters"/> planes of <see cref="OutHeight"/> × <see cref="OutWidth"/> out.
    /// Padding may be negative (the input gradient of a layer padded by more than dilation·(k−1)).
    /// </summary>
    private readonly struct Geometry
    {
        public readonly int Channels, InHeight, InWidth, Filters, KernelHeight, KernelWidth, StrideY, StrideX, PadY, PadX, DilationY, DilationX, OutHeight, OutWidth;

        public Geometry(int channels, int inHeight, int inWidth, int filters, int kernelHeight, int kernelWidth, int strideY, int strideX,
            int padY, int padX, int dilationY, int dilationX, int outHeight, int outWidth)
        {
            Channels = channels; InHeight = inHeight; InWidth = inWidth; Filters = filters;
            KernelHeight = kernelHeight; KernelWidth = kernelWidth; StrideY = strideY; StrideX = strideX;
            PadY = padY; PadX = padX; DilationY = dilationY; DilationX = dilationX; OutHeight = outHeight; OutWidth = outWidth;
        }

        public static Geometry Of(in ConvShape s) => new(s.InChannels, s.InHeight, s.InWidth, s.Filters, s.KernelHeight, s.KernelWidth,
            s.StrideY, s.StrideX, s.PaddingY, s.PaddingX, s.DilationY, s.DilationX, s.OutHeight, s.OutWidth);

        /// <summary>The stride-1 convolution whose output is the input gradient of <paramref name="s"/> (stride 1 only).</summary>
        public static Geometry InputGradientOf(in ConvShape s) => new(s.Filters, s.OutHeight, s.OutWidth, s.InChannels, s.KernelHeight, s.KernelWidth,
            1, 1, s.DilationY * (s.KernelHeight - 1) - s.PaddingY, s.DilationX * (s.KernelWidth - 1) - s.PaddingX,
            s.DilationY, s.DilationX, s.InHeight, s.InWidth);

        public int FanIn => Channels * KernelHeight * KernelWidth;

        public int Plane => OutHeight * OutWidth;

        /// <summary>Rows of the padded input that some output reads.</summary>
        public int PaddedHeight => (OutHeight - 1) * StrideY + (KernelHeight - 1) * DilationY + 1;

        public int PaddedWidth => (OutWidth - 1) * StrideX + (KernelWidth - 1) * DilationX + 1;

        /// <summary>No padding to add: outputs read the input planes as they are (rows of InWidth).</summary>
        public bool ReadsInputDirectly => PadY == 0 && PadX == 0 && PaddedHeight <= InHeight && PaddedWidth <= InWidth;
    }

    /// <summary>Whole vectors of filters: the packed rows' length.</summary>
    private static int PadToVectors(int n, int count) => (n + count - 1) / count * count;

    private static int PadTo16(int n) => (n + 15) & ~15;

    private static Span<float> Floats(int length)
    {
        AlignedFloats? buffer = t_floats;
        if (buffer is null || buffer.Length < length) t_floats = buffer = new AlignedFloats(length);
        return buffer.Span.Slice(0, length);
    }

    private static Span<int> Ints(int length)
    {
        int[]? buffer = t_ints;
        if (buffer is null || buffer.Length < length) t_ints = buffer = new int[length];
        return buffer.AsSpan(0, length);
    }

    public static void Forward(in ConvShape shape, ReadOnlySpan<float> weights, ReadOnlySpan<float> biases, ReadOnlySpan<float> input, Span<float> output, int samples)
    {
        Geometry g = Geometry.Of(shape);
        int fp = PadToVectors(g.Filters, VectorCount), fanIn = g.FanIn;
        Span<float> scratch = Floats(PadTo16(fanIn * fp) + PadTo16(fp) + TransposedLength(g, fp) + PaddedLength(g));
        Span<float> packed = scratch.Slice(0, fanIn * fp);
        Span<float> bias = scratch.Slice(PadTo16(fanIn * fp), fp);
        // Wᵀ: packed[k, f] = W[f, k] through the 8 × 8 AVX transpose (values moved, not changed), filters past the last
        // zero. Done on every call (the weights may have changed since the last); as a scalar loop (12,800 strided stores
        // for FashionCnn's second convolution) it cost that network's one-sample Forward about 8 µs of 66
        if (g.Filters < fp) packed.Clear();
        // (the slice checks the weights' length, which the unchecked transpose does not)
        BatchKernels.Transpose(ref MemoryMarshal.GetReference(weights.Slice(0, g.Filters * fanIn)), g.Filters, fanIn, fanIn, ref MemoryMarshal.GetReference(packed), fp);
        bias.Clear();
        biases.Slice(0, g.Filters).CopyTo(bias);
        Run(g, packed, bias, fp, input, output, samples, scratch.Slice(PadTo16(fanIn * fp) + PadTo16(fp)));
    }

    /// <summary>The input gradient of a stride-1 convolution (the caller checks the stride).</summary>
    public static void InputGradient(in ConvShape shape, ReadOnlySpan<float> weights, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int samples)
    {
        Geometry g = Geometry.InputGradientOf(shape);
        int cp = PadToVectors(g.Filters, VectorCount), fanIn = g.FanIn;
        int kh = shape.KernelHeight, kw = shape.KernelWidth, channels = shape.InChannels;
        Span<float> scratch = Floats(PadTo16(fanIn * cp) + PadTo16(cp) + TransposedLength(g, cp) + PaddedLength(g));
        Span<float> packed = scratch.Slice(0, fanIn * cp);
        // W'ᵀ[(f, u', v'), c] = W[f, c, kh−1−u', kw−1−v']
        packed.Clear();
        for (int f = 0; f < shape.Filters; f++)
        {
            for (int c = 0; c < channels; c++)
            {
                ReadOnlySpan<float> w = weights.Slice((f * channels + c) * kh * kw, kh * kw);
                for (int u = 0; u < kh; u++)
                {
                    for (int v = 0; v < kw; v++) packed[((f * kh + u) * kw + v) * cp + c] = w[(kh - 1 - u) * kw + kw - 1 - v];
                }
            }
        }
        Span<float> bias = scratch.Slice(PadTo16(fanIn * cp), cp);
        bias.Clear();
        Run(g, packed, bias, cp, outputGradient, inputGradient, samples, scratch.Slice(PadTo16(fanIn * cp) + PadTo16(cp)));
    }

    public static void AddWeightGradient(in ConvShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> weightGradient, Span<float> biasGradient, int samples)
    {
        Geometry g = Geometry.Of(shape);
        int fp = PadToVectors(g.Filters, VectorCount), fanIn = g.FanIn, plane = g.Plane;
        int rowsRounded = (fanIn + Rows - 1) / Rows * Rows;
        int gradientLength = PadTo16(rowsRounded * fp), transposedLength = PadTo16(plane * fp), biasLength = PadTo16(fp);
        Span<float> scratch = Floats(gradientLength + transposedLength + biasLength + PaddedLength(g));
        Span<float> gradientT = scratch.Slice(0, rowsRounded * fp);
        Span<float> dzT = scratch.Slice(gradientLength, plane * fp);
        Span<float> biasSum = scratch.Slice(gradientLength + transposedLength, fp);
        Span<float> padded = scratch.Slice(gradientLength + transposedLength + biasLength);
        gradientT.Clear();
        dzT.Clear(); // the padding filters stay zero
        biasSum.Clear();
        Span<int> ints = Ints(fanIn + plane);
        Span<int> kOffsets = ints.Slice(0, fanIn), positions = ints.Slice(fanIn, plane);
        int inSize = g.Channels * g.InHeight * g.InWidth, outSize = g.Filters * plane;
        bool direct = g.ReadsInputDirectly;
        Offsets(g, direct, kOffsets, positions);
        for (int s = 0; s < samples; s++)
        {
            ReadOnlySpan<float> source = Source(g, direct, input.Slice(s * inSize, inSize), padded);
            ReadOnlySpan<float> dz = outputGradient.Slice(s * outSize, outSize);
            // dz [filters × positions] → dzT [positions × fp] (the padding filters stay 0)
            BatchKernels.Transpose(ref MemoryMarshal.GetReference(dz), g.Filters, plane, plane, ref MemoryMarshal.GetReference(dzT), fp);
            AddColumnSums(dzT, plane, fp, biasSum);
            if (Vector512.IsHardwareAccelerated) WeightGradientTiles<Vector512<float>, Width512>(source, kOffsets, positions, dzT, fp, gradientT);
            else WeightGradientTiles<Vector256<float>, Width256>(source, kOffsets, positions, dzT, fp, gradientT);
        }
        for (int f = 0; f < g.Filters; f++)
        {
            Span<float> row = weightGradient.Slice(f * fanIn, fanIn);
            for (int k = 0; k < fanIn; k++) row[k] += gradientT[k * fp + f];
            biasGradient[f] += biasSum[f];
        }
    }

    /// <summary>
    /// sums[f] += Σ_j rows[j, f] for f &lt; fp (a multiple of the vector width): the bias gradient from ∂zᵀ, vectors of
    /// filters with four independent chains (one scalar sum per filter was a chain of dependent adds as long as the
    /// positions, which cost FashionCnn's first layer more than its weight gradient).
    /// </summary>
    private static void AddColumnSums(ReadOnlySpan<float> rows, int count, int fp, Span<float> sums)
    {
        int width = System.Numerics.Vector<float>.Count;
        ref float r = ref MemoryMarshal.GetReference(rows);
        for (int v = 0; v < fp; v += width)
        {
            System.Numerics.Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
            int j = 0;
            for (; j <= count - 4; j += 4)
            {
                a0 += System.Numerics.Vector.LoadUnsafe(ref r, (nuint)(j * fp + v));
                a1 += System.Numerics.Vector.LoadUnsafe(ref r, (nuint)((j + 1) * fp + v));
                a2 += System.Numerics.Vector.LoadUnsafe(ref r, (nuint)((j + 2) * fp + v));
                a3 += System.Numerics.Vector.LoadUnsafe(ref r, (nuint)((j + 3) * fp + v));
            }
            for (; j < count; j++) a0 += System.Numerics.Vector.LoadUnsafe(ref r, (nuint)(j * fp + v));
            Span<float> target = sums.Slice(v, width);
            (new System.Numerics.Vector<float>(target) + (a0 + a1) + (a2 + a3)).CopyTo(target);
        }
    }

    /// <summary>Floats of one sample's transposed output, [positions rounded up to whole tiles × filters padded to whole vectors].</summary>
    private static int TransposedLength(in Geometry g, int fp) => PadTo16((g.Plane + Rows - 1) / Rows * Rows * fp);

    /// <summary>Floats of one sample's padded input (0 when the kernels read the input as it is).</summary>
    private static int PaddedLength(in Geometry g) => g.ReadsInputDirectly ? 0 : g.Channels * g.PaddedHeight * g.PaddedWidth;

    /// <summary>
    /// The offsets the tiles add: fan-in entry k = (c, u, v) at <c>c·plane + u·dy·row + v·dx</c>, output position
    /// j = (y, x) at <c>y·sy·row + x·sx</c>, in the padded planes (or the input's, when it is read as it is).
    /// </summary>
    private static void Offsets(in Geometry g, bool direct, Span<int> kOffsets, Span<int> positions)
    {
        int rowStride = direct ? g.InWidth : g.PaddedWidth, planeStride = direct ? g.InHeight * g.InWidth : g.PaddedHeight * g.PaddedWidth;
        int k = 0;
        for (int c = 0; c < g.Channels; c++)
        {
            for (int u = 0; u < g.KernelHeight; u++)
            {
                for (int v = 0; v < g.KernelWidth; v++) kOffsets[k++] = c * planeStride + u * g.DilationY * rowStride + v * g.DilationX;
            }
        }
        int j = 0;
        for (int y = 0; y < g.OutHeight; y++)
        {
            for (int x = 0; x < g.OutWidth; x++) positions[j++] = y * g.StrideY * rowStride + x * g.StrideX;
        }
    }

    /// <summary>One sample's input planes as the tiles read them: as they are, or copied into <paramref name="padded"/> with zeros around.</summary>
    private static ReadOnlySpan<float> Source(in Geometry g, bool direct, ReadOnlySpan<float> sample, Span<float> padded)
    {
        if (direct) return sample;
        int hp = g.PaddedHeight, wp = g.PaddedWidth;
        // columns q of the padded row hold input column q − PadX where that is inside the input
        int qLow = Math.Clamp(g.PadX, 0, wp), qHigh = Math.Clamp(g.InWidth + g.PadX, qLow, wp);
        for (int c = 0; c < g.Channels; c++)
        {
            for (int r = 0; r < hp; r++)
            {
                Span<float> row = padded.Slice((c * hp + r) * wp, wp);
                int sr = r - g.PadY;
                if ((uint)sr >= (uint)g.InHeight || qHigh == qLow)
                {
                    row.Clear();
                    continue;
                }
                row.Slice(0, qLow).Clear();
                sample.Slice((c * g.InHeight + sr) * g.InWidth + qLow - g.PadX, qHigh - qLow).CopyTo(row.Slice(qLow));
                row.Slice(qHigh).Clear();
            }
        }
        return padded.Slice(0, g.Channels * hp * wp);
    }

    /// <summary>out[f, j] = bias[f] + Σ_k packed[k, f] · source[kOffset[k] + position[j]] for every sample.</summary>
    private static void Run(in Geometry g, ReadOnlySpan<float> packed, ReadOnlySpan<float> bias, int fp, ReadOnlySpan<float> input, Span<float> output, int samples, Span<float> rest)
    {
        int fanIn = g.FanIn, plane = g.Plane;
        Span<float> zT = rest.Slice(0, TransposedLength(g, fp));
        Span<float> padded = rest.Slice(TransposedLength(g, fp));
        Span<int> ints = Ints(fanIn + plane);
        Span<int> kOffsets = ints.Slice(0, fanIn), positions = ints.Slice(fanIn, plane);
        bool direct = g.ReadsInputDirectly;
        Offsets(g, direct, kOffsets, positions);
        int inSize = g.Channels * g.InHeight * g.InWidth, outSize = g.Filters * plane;
        for (int s = 0; s < samples; s++)
        {
            ReadOnlySpan<float> source = Source(g, direct, input.Slice(s * inSize, inSize), padded);
            Span<float> z = output.Slice(s * outSize, outSize);
            if (Vector512.IsHardwareAccelerated) ForwardTiles<Vector512<float>, Width512>(source, kOffsets, positions, packed, bias, fp, zT);
            else ForwardTiles<Vector256<float>, Width256>(source, kOffsets, positions, packed, bias, fp, zT);
            // zT [positions × fp] → z [filters × positions]
            BatchKernels.Transpose(ref MemoryMarshal.GetReference(zT), plane, g.Filters, fp, ref MemoryMarshal.GetReference(z), plane);
        }
    }

    private static void ForwardTiles<TVec, TW>(ReadOnlySpan<float> source, ReadOnlySpan<int> kOffsets, ReadOnlySpan<int> positions,
        ReadOnlySpan<float> packed, ReadOnlySpan<float> bias, int fp, Span<float> zT)
        where TVec : struct
        where TW : struct, ISimdWidth<TVec>
    {
        int plane = positions.Length, count = TW.Count;
        ref float src = ref MemoryMarshal.GetReference(source);
        ref int idx = ref MemoryMarshal.GetReference(kOffsets);
        ref float w = ref MemoryMarshal.GetReference(packed);
        ref float b = ref MemoryMarshal.GetReference(bias);
        ref float t = ref MemoryMarshal.GetReference(zT);
        for (int j0 = 0; j0 < plane; j0 += Rows)
        {
            int n = Math.Min(Rows, plane - j0);
            // rows past the last position repeat the first one of the tile (computed into zT's spare rows, never read)
            int p0 = positions[j0];
            int p1 = n > 1 ? positions[j0 + 1] : p0, p2 = n > 2 ? positions[j0 + 2] : p0, p3 = n > 3 ? positions[j0 + 3] : p0;
            int p4 = n > 4 ? positions[j0 + 4] : p0, p5 = n > 5 ? positions[j0 + 5] : p0;
            int v = 0;
            for (; v + 2 * count <= fp; v += 2 * count)
            {
                Tile2<TVec, TW>(ref src, p0, p1, p2, p3, p4, p5, ref idx, kOffsets.Length, ref Unsafe.Add(ref w, v), fp,
                    ref Unsafe.Add(ref b, v), 0, ref Unsafe.Add(ref t, j0 * fp + v), fp);
            }
            if (v < fp)
            {
                Tile1<TVec, TW>(ref src, p0, p1, p2, p3, p4, p5, ref idx, kOffsets.Length, ref Unsafe.Add(ref w, v), fp,
                    ref Unsafe.Add(ref b, v), 0, ref Unsafe.Add(ref t, j0 * fp + v), fp);
            }
        }
    }

    private static void WeightGradientTiles<TVec, TW>(ReadOnlySpan<float> source, ReadOnlySpan<int> kOffsets, ReadOnlySpan<int> positions,
        ReadOnlySpan<float> dzT, int fp, Span<float> gradientT)
        where TVec : struct
        where TW : struct, ISimdWidth<TVec>
    {
        int fanIn = kOffsets.Length, count = TW.Count;
        ref float src = ref MemoryMarshal.GetReference(source);
        ref int idx = ref MemoryMarshal.GetReference(positions);
        ref float d = ref MemoryMarshal.GetReference(dzT);
        ref float gt = ref MemoryMarshal.GetReference(gradientT);
        for (int k0 = 0; k0 < fanIn; k0 += Rows)
        {
            int n = Math.Min(Rows, fanIn - k0);
            // rows past the last fan-in entry read the first one of the tile and land in gradientT's spare rows
            int o0 = kOffsets[k0];
            int o1 = n > 1 ? kOffsets[k0 + 1] : o0, o2 = n > 2 ? kOffsets[k0 + 2] : o0, o3 = n > 3 ? kOffsets[k0 + 3] : o0;
            int o4 = n > 4 ? kOffsets[k0 + 4] : o0, o5 = n > 5 ? kOffsets[k0 + 5] : o0;
            ref float rows = ref Unsafe.Add(ref gt, k0 * fp);
            int v = 0;
            for (; v + 2 * count <= fp; v += 2 * count)
            {
                Tile2<TVec, TW>(ref src, o0, o1, o2, o3, o4, o5, ref idx, positions.Length, ref Unsafe.Add(ref d, v), fp,
                    ref Unsafe.Add(ref rows, v), fp, ref Unsafe.Add(ref rows, v), fp);
            }
            if (v < fp)
            {
                Tile1<TVec, TW>(ref src, o0, o1, o2, o3, o4, o5, ref idx, positions.Length, ref Unsafe.Add(ref d, v), fp,
                    ref Unsafe.Add(ref rows, v), fp, ref Unsafe.Add(ref rows, v), fp);
            }
        }
    }

    /// <summary>
    /// The register tile: for r &lt; 6, <c>acc[r] = init[r] + Σ_t src[base_r + index[t]] · vectors[t]</c> over two vectors,
    /// stored to <paramref name="store"/> (row r at r · storeStride). An init stride of 0 starts every row from the same
    /// values (the biases).
    /// </summary>
    private static void Tile2<TVec, TW>(ref float src, int b0, int b1, int b2, int b3, int b4, int b5, ref int index, int terms,
        ref float vectors, int vectorStride, ref float init, int initStride, ref float store, int storeStride)
        where TVec : struct
        where TW : struct, ISimdWidth<TVec>
    {
        nuint n = (nuint)TW.Count;
        TVec a00 = TW.Load(ref init, 0), a01 = TW.Load(ref init, n);
        TVec a10 = TW.Load(ref Unsafe.Add(ref init, initStride), 0), a11 = TW.Load(ref Unsafe.Add(ref init, initStride), n);
        TVec a20 = TW.Load(ref Unsafe.Add(ref init, 2 * initStride), 0), a21 = TW.Load(ref Unsafe.Add(ref init, 2 * initStride), n);
        TVec a30 = TW.Load(ref Unsafe.Add(ref init, 3 * initStride), 0), a31 = TW.Load(ref Unsafe.Add(ref init, 3 * initStride), n);
        TVec a40 = TW.Load(ref Unsafe.Add(ref init, 4 * initStride), 0), a41 = TW.Load(ref Unsafe.Add(ref init, 4 * initStride), n);
        TVec a50 = TW.Load(ref Unsafe.Add(ref init, 5 * initStride), 0), a51 = TW.Load(ref Unsafe.Add(ref init, 5 * initStride), n);
        ref float s0 = ref Unsafe.Add(ref src, b0), s1 = ref Unsafe.Add(ref src, b1), s2 = ref Unsafe.Add(ref src, b2);
        ref float s3 = ref Unsafe.Add(ref src, b3), s4 = ref Unsafe.Add(ref src, b4), s5 = ref Unsafe.Add(ref src, b5);
        ref float vt = ref vectors;
        for (int t = 0; t < terms; t++)
        {
            nint o = Unsafe.Add(ref index, t);
            TVec w0 = TW.Load(ref vt, 0), w1 = TW.Load(ref vt, n);
            vt = ref Unsafe.Add(ref vt, vectorStride);
            TVec x = TW.Create(Unsafe.Add(ref s0, o));
            a00 = TW.Fma(x, w0, a00); a01 = TW.Fma(x, w1, a01);
            x = TW.Create(Unsafe.Add(ref s1, o));
            a10 = TW.Fma(x, w0, a10); a11 = TW.Fma(x, w1, a11);
            x = TW.Create(Unsafe.Add(ref s2, o));
            a20 = TW.Fma(x, w0, a20); a21 = TW.Fma(x, w1, a21);
            x = TW.Create(Unsafe.Add(ref s3, o));
            a30 = TW.Fma(x, w0, a30); a31 = TW.Fma(x, w1, a31);
            x = TW.Create(Unsafe.Add(ref s4, o));
            a40 = TW.Fma(x, w0, a40); a41 = TW.Fma(x, w1, a41);
            x = TW.Create(Unsafe.Add(ref s5, o));
            a50 = TW.Fma(x, w0, a50); a51 = TW.Fma(x, w1, a51);
        }
        TW.Store(a00, ref store, 0); TW.Store(a01, ref store, n);
        TW.Store(a10, ref Unsafe.Add(ref store, storeStride), 0); TW.Store(a11, ref Unsafe.Add(ref store, storeStride), n);
        TW.Store(a20, ref Unsafe.Add(ref store, 2 * storeStride), 0); TW.Store(a21, ref Unsafe.Add(ref store, 2 * storeStride), n);
        TW.Store(a30, ref Unsafe.Add(ref store, 3 * storeStride), 0); TW.Store(a31, ref Unsafe.Add(ref store, 3 * storeStride), n);
        TW.Store(a40, ref Unsafe.Add(ref store, 4 * storeStride), 0); TW.Store(a41, ref Unsafe.Add(ref store, 4 * storeStride), n);
        TW.Store(a50, ref Unsafe.Add(ref store, 5 * storeStride), 0); TW.Store(a51, ref Unsafe.Add(ref store, 5 * storeStride), n);
    }

    /// <summary><see cref="Tile2{TVec, TW}"/> over one vector (the filters past the last pair).</summary>
    private static void Tile1<TVec, TW>(ref float src, int b0, int b1, int b2, int b3, int b4, int b5, ref int index, int terms,
        ref float vectors, int vectorStride, ref float init, int initStride, ref float store, int storeStride)
        where TVec : struct
        where TW : struct, ISimdWidth<TVec>
    {
        TVec a0 = TW.Load(ref init, 0), a1 = TW.Load(ref Unsafe.Add(ref init, initStride), 0), a2 = TW.Load(ref Unsafe.Add(ref init, 2 * initStride), 0);
        TVec a3 = TW.Load(ref Unsafe.Add(ref init, 3 * initStride), 0), a4 = TW.Load(ref Unsafe.Add(ref init, 4 * initStride), 0), a5 = TW.Load(ref Unsafe.Add(ref init, 5 * initStride), 0);
        ref float s0 = ref Unsafe.Add(ref src, b0), s1 = ref Unsafe.Add(ref src, b1), s2 = ref Unsafe.Add(ref src, b2);
        ref float s3 = ref Unsafe.Add(ref src, b3), s4 = ref Unsafe.Add(ref src, b4), s5 = ref Unsafe.Add(ref src, b5);
        ref float vt = ref vectors;
        for (int t = 0; t < terms; t++)
        {
            nint o = Unsafe.Add(ref index, t);
            TVec w0 = TW.Load(ref vt, 0);
            vt = ref Unsafe.Add(ref vt, vectorStride);
            a0 = TW.Fma(TW.Create(Unsafe.Add(ref s0, o)), w0, a0);
            a1 = TW.Fma(TW.Create(Unsafe.Add(ref s1, o)), w0, a1);
            a2 = TW.Fma(TW.Create(Unsafe.Add(ref s2, o)), w0, a2);
            a3 = TW.Fma(TW.Create(Unsafe.Add(ref s3, o)), w0, a3);
            a4 = TW.Fma(TW.Create(Unsafe.Add(ref s4, o)), w0, a4);
            a5 = TW.Fma(TW.Create(Unsafe.Add(ref s5, o)), w0, a5);
        }
        TW.Store(a0, ref store, 0); TW.Store(a1, ref Unsafe.Add(ref store, storeStride), 0); TW.Store(a2, ref Unsafe.Add(ref store, 2 * storeStride), 0);
        TW.Store(a3, ref Unsafe.Add(ref store, 3 * storeStride), 0); TW.Store(a4, ref Unsafe.Add(ref store, 4 * storeStride), 0); TW.Store(a5, ref Unsafe.Add(ref store, 5 * storeStride), 0);
    }
}
