using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// The mini-batch kernels of Dense-only networks. A chunk of <see cref="Chunk"/> samples is kept feature-major
/// (<c>[features × 32]</c>, sample s of feature f at <c>f * 32 + s</c>), so every kernel is a register-tiled
/// outer-product loop: R rows × V vectors of accumulators that stay in registers, fed by one vector load per column
/// vector and one broadcast per row. Vector512 (16 floats: 12 rows × 2 vectors) where accelerated, else Vector256
/// (8 floats: 3 rows × 4 vectors); without either (<see cref="IsAccelerated"/> false) generated code stays per
/// sample. No bounds checks: the caller passes spans of the stated lengths. Called by generated code; versioned with
/// the generator (one package).
/// <para>
/// The methods with the loops (<see cref="Tile"/>, the transposes, <see cref="SoftmaxChunk"/>, the weight gradient's
/// rows) are compiled fully optimized on their first call (<see cref="MethodImplOptions.AggressiveOptimization"/>)
/// rather than tiered: at tier 0 none of their vector helpers are inlined and they run about 50× slower (digits'
/// <c>Forward</c> on 256 samples: about 800 µs a call instead of 16 µs), and under the runtime's default settings they
/// stayed there for 1.6 to 3.2 s of back-to-back calls on Zen 4 (a user's program never set
/// <c>DOTNET_TC_CallCountingDelayMs=0</c> as the benchmarks do). The price is one JIT of the instantiations a network
/// uses on its first batch call (about 75 to 90 ms for digits), paid once per process.
/// </para>
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class BatchKernels
{
    /// <summary>Samples per chunk of the batch path (the columns of every feature-major block).</summary>
    public const int Chunk = BatchLayout.Chunk;

    /// <summary>True when the batch path has a SIMD width to run on (else Backward stays per sample).</summary>
    public static bool IsAccelerated => Vector512.IsHardwareAccelerated || Vector256.IsHardwareAccelerated;

    /// <summary>The fewest samples worth a chunk: fewer (a small batch, or the last samples of one) go per sample.</summary>
    public const int MinSamples = BatchLayout.MinSamples;

    /// <summary>Whether k samples take a generated network's batch path (Forward and Backward): at least
    /// <see cref="MinSamples"/> of them, and a SIMD width for the kernels.</summary>
    public static bool Applies(int k) => k >= MinSamples && IsAccelerated;

    /// <summary>y[i] += x[i] over equal-length spans: a worker's gradients added to the network's.</summary>
    public static void Add(Span<float> y, ReadOnlySpan<float> x)
    {
        ref float ry = ref MemoryMarshal.GetReference(y);
        ref float rx = ref MemoryMarshal.GetReference(x);
        int n = Math.Min(y.Length, x.Length);
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            int width = System.Numerics.Vector<float>.Count;
            for (; i <= n - width; i += width) System.Numerics.Vector.StoreUnsafe(System.Numerics.Vector.LoadUnsafe(ref ry, (nuint)i) + System.Numerics.Vector.LoadUnsafe(ref rx, (nuint)i), ref ry, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref ry, i) += Unsafe.Add(ref rx, i);
    }

    /// <summary>ns samples of n floats each (sample-major) → dst [n × 32] feature-major; columns ns..31 are zeroed.</summary>
    public static void ToFeatureMajor(ReadOnlySpan<float> src, int n, int ns, Span<float> dst)
    {
        if (ns < Chunk) dst.Slice(0, n * Chunk).Clear();
        Transpose(ref MemoryMarshal.GetReference(src), ns, n, n, ref MemoryMarshal.GetReference(dst), Chunk);
    }

    /// <summary>src [n × 32] feature-major → ns samples of n floats (sample-major), for the weight-gradient kernel.</summary>
    public static void ToSampleMajor(ReadOnlySpan<float> src, int n, int ns, Span<float> dst)
    {
        Transpose(ref MemoryMarshal.GetReference(src), n, ns, Chunk, ref MemoryMarshal.GetReference(dst), n);
    }

    /// <summary>
    /// dst[c, r] = src[r, c] for a rows × cols block (row strides given): 8 × 8 tiles in AVX registers, the edges scalar.
    /// The walk goes along the long side in blocks of 8 and, inside each block, down the short side (a chunk's 32
    /// samples or features), so what a run of tiles touches stays in L1: for <see cref="ToFeatureMajor"/> (32 rows of n inputs)
    /// the four tiles down a block of 8 columns fill 8 whole destination rows of 128 bytes, and each source line is read
    /// again by the next block while still in L1; walked row block by row block instead, every 128-byte destination row
    /// is written 32 bytes at a time on four passes over the whole [n × 32] block, which is larger than L1 from 256
    /// inputs on (mnist's 784: the transpose took 2.7 µs a chunk that way, 1.9 µs this way, on Zen 4). A copy: the
    /// order changes no value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Transpose(ref float src, int rows, int cols, int srcStride, ref float dst, int dstStride)
    {
        int rows8 = 0;
        if (Avx.IsSupported)
        {
            rows8 = rows & ~7;
            int cols8 = cols & ~7;
            if (rows <= cols)
            {
                for (int c = 0; c < cols8; c += 8)
                {
                    for (int r = 0; r < rows8; r += 8) Transpose8x8(ref Unsafe.Add(ref src, r * srcStride + c), (nuint)srcStride, ref Unsafe.Add(ref dst, c * dstStride + r), (nuint)dstStride);
                }
            }
            else
            {
                for (int r = 0; r < rows8; r += 8)
                {
                    for (int c = 0; c < cols8; c += 8) Transpose8x8(ref Unsafe.Add(ref src, r * srcStride + c), (nuint)srcStride, ref Unsafe.Add(ref dst, c * dstStride + r), (nuint)dstStride);
                }
            }
            // the last cols mod 8 columns of the tiled rows
            for (int r = 0; r < rows8; r++)
            {
                for (int c = cols8; c < cols; c++) Unsafe.Add(ref dst, c * dstStride + r) = Unsafe.Add(ref src, r * srcStride + c);
            }
        }
        for (int r = rows8; r < rows; r++)
        {
            for (int c = 0; c < cols; c++) Unsafe.Add(ref dst, c * dstStride + r) = Unsafe.Add(ref src, r * srcStride + c);
        }
    }

    /// <summary>
    /// Softmax down each of a chunk's 32 columns of z [n × 32] (feature-major, in place): column s becomes
    /// softmax(z[:, s]), with <see cref="Softmax.Apply"/>'s operations lane by lane, four samples per Vector128: the
    /// maximum (exact), e^(z_j − m) by <see cref="VectorMath.Exp(Vector128{float})"/>, the sum in Softmax's order (four
    /// partial sums s_l over the j ≡ l mod 4 in order, then (s₀ + s₁) + (s₂ + s₃)) and the division. So each column
    /// gets the bits Softmax.Apply gives that sample alone (BatchKernelTests), without the batch path's per-sample
    /// calls and their horizontal steps.
    /// </summary>
    /// <exception cref="ArgumentException">n is not positive or z is shorter than n × 32.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SoftmaxChunk(Span<float> z, int n)
    {
        if (n <= 0 || z.Length < n * Chunk)
        {
            throw new ArgumentException($"Expected n ≥ 1 and z of at least n × {Chunk} floats, got n = {n} and {z.Length} floats.", nameof(z));
        }
        ref float rz = ref MemoryMarshal.GetReference(z);
        nuint stride = Chunk;
        for (nuint c = 0; c < Chunk; c += 4)
        {
            ref float col = ref Unsafe.Add(ref rz, c);
            Vector128<float> m = Vector128.LoadUnsafe(ref col);
            for (int j = 1; j < n; j++) m = MaxLanes(m, Vector128.LoadUnsafe(ref col, (nuint)j * stride));
            Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (int j = 0; j < n; j++)
            {
                Vector128<float> e = VectorMath.Exp(Vector128.LoadUnsafe(ref col, (nuint)j * stride) - m);
                e.StoreUnsafe(ref col, (nuint)j * stride);
                switch (j & 3)
                {
                    case 0: s0 += e; break;
                    case 1: s1 += e; break;
                    case 2: s2 += e; break;
                    default: s3 += e; break;
                }
            }
            Vector128<float> sum = (s0 + s1) + (s2 + s3);
            for (int j = 0; j < n; j++) (Vector128.LoadUnsafe(ref col, (nuint)j * stride) / sum).StoreUnsafe(ref col, (nuint)j * stride);
        }
    }

    /// <summary>The lane maximum as <see cref="Softmax"/> takes it (maxps where there is one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> MaxLanes(Vector128<float> a, Vector128<float> b) =>
#if NET9_0_OR_GREATER
        Vector128.MaxNative(a, b);
#else
        Vector128.Max(a, b);
#endif

    /// <summary>One 8 × 8 tile transposed in registers: pairwise unpacks, then 64-bit shuffles, then 128-bit lane swaps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref float src, nuint srcStride, ref float dst, nuint dstStride)
    {
        Vector256<float> r0 = Vector256.LoadUnsafe(ref src, 0);
        Vector256<float> r1 = Vector256.LoadUnsafe(ref src, srcStride);
        Vector256<float> r2 = Vector256.LoadUnsafe(ref src, 2 * srcStride);
        Vector256<float> r3 = Vector256.LoadUnsafe(ref src, 3 * srcStride);
        Vector256<float> r4 = Vector256.LoadUnsafe(ref src, 4 * srcStride);
        Vector256<float> r5 = Vector256.LoadUnsafe(ref src, 5 * srcStride);
        Vector256<float> r6 = Vector256.LoadUnsafe(ref src, 6 * srcStride);
        Vector256<float> r7 = Vector256.LoadUnsafe(ref src, 7 * srcStride);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44);
        Vector256<float> u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44);
        Vector256<float> u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44);
        Vector256<float> u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44);
        Vector256<float> u7 = Avx.Shuffle(t5, t7, 0xEE);
        Vector256.StoreUnsafe(Avx.Permute2x128(u0, u4, 0x20), ref dst, 0);
        Vector256.StoreUnsafe(Avx.Permute2x128(u1, u5, 0x20), ref dst, dstStride);
        Vector256.StoreUnsafe(Avx.Permute2x128(u2, u6, 0x20), ref dst, 2 * dstStride);
        Vector256.StoreUnsafe(Avx.Permute2x128(u3, u7, 0x20), ref dst, 3 * dstStride);
        Vector256.StoreUnsafe(Avx.Permute2x128(u0, u4, 0x31), ref dst, 4 * dstStride);
        Vector256.StoreUnsafe(Avx.Permute2x128(u1, u5, 0x31), ref dst, 5 * dstStride);
        Vector256.StoreUnsafe(Avx.Permute2x128(u2, u6, 0x31), ref dst, 6 * dstStride);
        Vector256.StoreUnsafe(Avx.Permute2x128(u3, u7, 0x31), ref dst, 7 * dstStride);
    }

    /// <summary>
    /// Forward of one Dense layer on a chunk: Y[o, :] = act(b[o] + Σ_i W[o, i] · X[i, :]) for all 32 columns, with W [m × n]
    /// row-major, X [n × 32] and Y [m × 32] feature-major. act: <typeparamref name="TAct"/> (tanh and sigmoid are applied by the caller).
    /// </summary>
    public static void ForwardChunk<TN, TAct>(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int m, ReadOnlySpan<float> x, Span<float> y)
        where TN : struct, IConstantSize
        where TAct : struct, IFusedActivation
    {
        if (!IsAccelerated)
        {
            // no SIMD (generated code stays per sample there): the same sums in plain loops
            int n = TN.Value;
            for (int r = 0; r < m; r++)
            {
                for (int s = 0; s < Chunk; s++)
                {
                    float z = 0f;
                    for (int i = 0; i < n; i++) z += weights[r * n + i] * x[i * Chunk + s];
                    y[r * Chunk + s] = TAct.Apply(bias[r] + z);
                }
            }
            return;
        }
        if (Vector512.IsHardwareAccelerated) ForwardRows<TN, TAct, Width512, Vector512<float>>(weights, bias, m, x, y);
        else ForwardRows<TN, TAct, Width256, Vector256<float>>(weights, bias, m, x, y);
    }

    /// <summary>
    /// <see cref="ForwardChunk"/> in one width: tiles of the width's rows over the chunk's 32 columns (each W[o, i]
    /// broadcast once per tile), then the rows left in tiles of 8, 4, 2 and 1 rows (<see cref="Rows8"/>).
    /// </summary>
    private static void ForwardRows<TN, TAct, TW, TV>(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int m, ReadOnlySpan<float> x, Span<float> y)
        where TN : struct, IConstantSize
        where TAct : struct, IFusedActivation
        where TW : struct, ISimdWidth<TV>
        where TV : struct
    {
        ref float rw = ref MemoryMarshal.GetReference(weights);
        ref float rb = ref MemoryMarshal.GetReference(bias);
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int o = ForwardTiles<TN, TAct, TW, TV, WidthRows<TW, TV>>(0, m, ref rw, ref rb, ref rx, ref ry);
        o = ForwardTiles<TN, TAct, TW, TV, Rows8>(o, m, ref rw, ref rb, ref rx, ref ry);
        o = ForwardTiles<TN, TAct, TW, TV, Rows4>(o, m, ref rw, ref rb, ref rx, ref ry);
        o = ForwardTiles<TN, TAct, TW, TV, Rows2>(o, m, ref rw, ref rb, ref rx, ref ry);
        ForwardTiles<TN, TAct, TW, TV, One>(o, m, ref rw, ref rb, ref rx, ref ry);
    }

    /// <summary>As many tiles of <typeparamref name="TRows"/> output rows as fit from row o on; returns the row after them.</summary>
    private static int ForwardTiles<TN, TAct, TW, TV, TRows>(int o, int m, ref float rw, ref float rb, ref float rx, ref float ry)
        where TN : struct, IConstantSize
        where TAct : struct, IFusedActivation
        where TW : struct, ISimdWidth<TV>
        where TV : struct
        where TRows : struct, IConstantSize
    {
        int n = TN.Value, r = TRows.Value, tiles = (m - o) / r;
        if (tiles == 0) return o;
        Tile<TW, TV, TRows, ChunkVectors<TW, TV>, TN, Activated<TAct, TW, TV>>(new TileWalk(tiles, r * n, 0, r, r * Chunk),
            ref Unsafe.Add(ref rw, o * n), 1, ref rx, Chunk, n, ref Unsafe.Add(ref rb, o), ref Unsafe.Add(ref ry, o * Chunk), Chunk);
        return o + tiles * r;
    }

    /// <summary>
    /// Input gradient of one Dense layer on a chunk, through the activation below it: DX[i, :] = (Σ_o W[o, i] · DZ[o, :]) ⊙ f'(A[i, :]),
    /// with DZ [m × 32], A and DX [n × 32] feature-major. f' from the activation a by
    /// <typeparamref name="TDerivative"/>.
    /// </summary>
    public static void InputGradientChunk<TDerivative>(ReadOnlySpan<float> weights, int m, int n, ReadOnlySpan<float> dz, ReadOnlySpan<float> a, Span<float> dx)
        where TDerivative : struct, IActivationDerivative
    {
        if (!IsAccelerated)
        {
            // no SIMD (generated code stays per sample there): the same sums in plain loops
            for (int r = 0; r < n; r++)
            {
                for (int s = 0; s < Chunk; s++)
                {
                    float g = 0f;
                    for (int q = 0; q < m; q++) g += weights[q * n + r] * dz[q * Chunk + s];
                    dx[r * Chunk + s] = TDerivative.Chain(g, a[r * Chunk + s]);
                }
            }
            return;
        }
        if (Vector512.IsHardwareAccelerated) InputGradientRows<TDerivative, Width512, Vector512<float>>(weights, m, n, dz, a, dx);
        else InputGradientRows<TDerivative, Width256, Vector256<float>>(weights, m, n, dz, a, dx);
    }

    /// <summary>
    /// <see cref="InputGradientChunk"/> in one width: tiles of the width's rows of DX (W[o, i..] is contiguous, so the
    /// broadcasts are too), then the rows left in tiles of 8, 4, 2 and 1 rows (<see cref="Rows8"/>).
    /// </summary>
    private static void InputGradientRows<TDerivative, TW, TV>(ReadOnlySpan<float> weights, int m, int n, ReadOnlySpan<float> dz, ReadOnlySpan<float> a, Span<float> dx)
        where TDerivative : struct, IActivationDerivative
        where TW : struct, ISimdWidth<TV>
        where TV : struct
    {
        ref float rw = ref MemoryMarshal.GetReference(weights);
        ref float rdz = ref MemoryMarshal.GetReference(dz);
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rdx = ref MemoryMarshal.GetReference(dx);
        int i = InputGradientTiles<TDerivative, TW, TV, WidthRows<TW, TV>>(0, m, n, ref rw, ref rdz, ref ra, ref rdx);
        i = InputGradientTiles<TDerivative, TW, TV, Rows8>(i, m, n, ref rw, ref rdz, ref ra, ref rdx);
        i = InputGradientTiles<TDerivative, TW, TV, Rows4>(i, m, n, ref rw, ref rdz, ref ra, ref rdx);
        i = InputGradientTiles<TDerivative, TW, TV, Rows2>(i, m, n, ref rw, ref rdz, ref ra, ref rdx);
        InputGradientTiles<TDerivative, TW, TV, One>(i, m, n, ref rw, ref rdz, ref ra, ref rdx);
    }

    /// <summary>As many tiles of <typeparamref name="TRows"/> rows of DX as fit from row i on; returns the row after them.</summary>
    private static int InputGradientTiles<TDerivative, TW, TV, TRows>(int i, int m, int n, ref float rw, ref float rdz, ref float ra, ref float rdx)
        where TDerivative : struct, IActivationDerivative
        where TW : struct, ISimdWidth<TV>
        where TV : struct
        where TRows : struct, IConstantSize
    {
        int r = TRows.Value, tiles = (n - i) / r;
        if (tiles == 0) return i;
        Tile<TW, TV, TRows, ChunkVectors<TW, TV>, One, Chained<TDerivative, TW, TV>>(new TileWalk(tiles, r, 0, r * Chunk, r * Chunk),
            ref Unsafe.Add(ref rw, i), n, ref rdz, Chunk, m, ref Unsafe.Add(ref ra, i * Chunk), ref Unsafe.Add(ref rdx, i * Chunk), Chunk);
        return i + tiles * r;
    }

    /// <summary>
    /// Weight and bias gradients of one Dense layer on a chunk: GW[o, i] += Σ_{s &lt; ns} DZ[o, s] · X[s, i], Gb[o] += Σ_s DZ[o, s],
    /// with DZ [m × 32] feature-major and X sample-major (ns rows of n floats). Each gradient tile is loaded once,
    /// updated over the chunk's samples in registers and stored once.
    /// </summary>
    public static void WeightGradientChunk(ReadOnlySpan<float> dz, int m, int n, ReadOnlySpan<float> x, int ns, Span<float> gradW, Span<float> gradB)
    {
        if (!IsAccelerated)
        {
            // no SIMD (generated code stays per sample there): the same sums in plain loops
            for (int r = 0; r < m; r++)
            {
                float bias = 0f;
                for (int s = 0; s < ns; s++) bias += dz[r * Chunk + s];
                gradB[r] += bias;
                for (int i = 0; i < n; i++)
                {
                    float sum = 0f;
                    for (int s = 0; s < ns; s++) sum += dz[r * Chunk + s] * x[s * n + i];
                    gradW[r * n + i] += sum;
                }
            }
            return;
        }
        if (Vector512.IsHardwareAccelerated) WeightGradientRows<Width512, Vector512<float>>(dz, m, n, x, ns, gradW, gradB);
        else WeightGradientRows<Width256, Vector256<float>>(dz, m, n, x, ns, gradW, gradB);
    }

    /// <summary>
    /// <see cref="WeightGradientChunk"/> in one width: the bias sums, then blocks of 32 inputs (then of one vector) over
    /// all gradient rows, then the last n mod Count inputs scalar.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradientRows<TW, TV>(ReadOnlySpan<float> dz, int m, int n, ReadOnlySpan<float> x, int ns, Span<float> gradW, Span<float> gradB)
        where TW : struct, ISimdWidth<TV>
        where TV : struct
    {
        ref float rdz = ref MemoryMarshal.GetReference(dz);
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float rg = ref MemoryMarshal.GetReference(gradW);
        ref float rgb = ref MemoryMarshal.GetReference(gradB);
        nuint w = (nuint)TW.Count;
        for (int o = 0; o < m; o++)
        {
            ref float dzo = ref Unsafe.Add(ref rdz, o * Chunk);
            float sum = 0f;
            // a whole chunk in its vectors, added pairwise, and one horizontal sum; else one sample after another
            if (ns == Chunk)
            {
                TV t = TW.Add(TW.Load(ref dzo, 0), TW.Load(ref dzo, w));
                if (ChunkVectors<TW, TV>.Value > 2) t = TW.Add(t, TW.Add(TW.Load(ref dzo, 2 * w), TW.Load(ref dzo, 3 * w)));
                sum = TW.Sum(t);
            }
            else
            {
                for (int s = 0; s < ns; s++) sum += Unsafe.Add(ref dzo, s);
            }
            Unsafe.Add(ref rgb, o) += sum;
        }
        int i = n / Chunk * Chunk, vectors = (n - i) / TW.Count;
        WeightGradientColumns<TW, TV, ChunkVectors<TW, TV>>(n / Chunk, Chunk, ref rdz, m, n, ref rx, ns, ref rg);
        WeightGradientColumns<TW, TV, One>(vectors, TW.Count, ref rdz, m, n, ref Unsafe.Add(ref rx, i), ns, ref Unsafe.Add(ref rg, i));
        i += vectors * TW.Count;
        // the last n mod Count inputs, scalar
        for (; i < n; i++)
        {
            for (int o = 0; o < m; o++)
            {
                ref float dzo = ref Unsafe.Add(ref rdz, o * Chunk);
                float sum = 0f;
                for (int s = 0; s < ns; s++) sum += Unsafe.Add(ref dzo, s) * Unsafe.Add(ref rx, s * n + i);
                Unsafe.Add(ref rg, o * n + i) += sum;
            }
        }
    }

    /// <summary>
    /// The m gradient rows of <paramref name="blocks"/> column blocks of <typeparamref name="TVectors"/> vectors of
    /// inputs each, <paramref name="step"/> floats apart (X at <paramref name="x"/>, GW at <paramref name="g"/>): tiles
    /// of the width's rows, then the rows left in tiles of 8, 4, 2 and 1 rows (<see cref="Rows8"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WeightGradientColumns<TW, TV, TVectors>(int blocks, int step, ref float rdz, int m, int n, ref float x, int ns, ref float g)
        where TW : struct, ISimdWidth<TV>
        where TV : struct
        where TVectors : struct, IConstantSize
    {
        if (blocks == 0) return;
        int o = WeightGradientTiles<TW, TV, TVectors, WidthRows<TW, TV>>(0, blocks, step, ref rdz, m, n, ref x, ns, ref g);
        o = WeightGradientTiles<TW, TV, TVectors, Rows8>(o, blocks, step, ref rdz, m, n, ref x, ns, ref g);
        o = WeightGradientTiles<TW, TV, TVectors, Rows4>(o, blocks, step, ref rdz, m, n, ref x, ns, ref g);
        o = WeightGradientTiles<TW, TV, TVectors, Rows2>(o, blocks, step, ref rdz, m, n, ref x, ns, ref g);
        WeightGradientTiles<TW, TV, TVectors, One>(o, blocks, step, ref rdz, m, n, ref x, ns, ref g);
    }

    /// <summary>As many tiles of <typeparamref name="TRows"/> gradient rows as fit from row o on, over every column block; returns the row after them.</summary>
    private static int WeightGradientTiles<TW, TV, TVectors, TRows>(int o, int blocks, int step, ref float rdz, int m, int n, ref float x, int ns, ref float g)
        where TW : struct, ISimdWidth<TV>
        where TV : struct
        where TVectors : struct, IConstantSize
        where TRows : struct, IConstantSize
    {
        int r = TRows.Value, tiles = (m - o) / r;
        if (tiles == 0) return o;
        Tile<TW, TV, TRows, TVectors, ChunkStride, Accumulated<TW, TV>>(new TileWalk(tiles, r * Chunk, 0, 0, r * n, blocks, 0, step, 0, step),
            ref Unsafe.Add(ref rdz, o * Chunk), 1, ref x, n, ns, ref rdz, ref Unsafe.Add(ref g, o * n), n);
        return o + tiles * r;
    }

    /// <summary>
    /// The register tile every batch kernel is made of, over <paramref name="walk"/>'s tiles one after another:
    /// <typeparamref name="TRows"/> rows × <typeparamref name="TVectors"/> vectors of accumulators (at most 12 × 4),
    /// acc[r, v] = start + Σ_{k &lt; count} A[k, r] · B[k, v], each A[k, r] (at a + k · aStep + r ·
    /// <typeparamref name="TRowStride"/>) broadcast once and each B[k, v] (at b + k · bStep + v · Count) loaded once.
    /// Every accumulator is one chain of fused multiply-adds in k order, so the tile's shape does not change a bit of the
    /// result. <typeparamref name="TEdge"/> says where the accumulators start and where they go (destination row r at
    /// dst + r · dstStride; p is the kernel's per-row operand). The row and vector counts are constants of the type
    /// arguments, so the JIT compiles one copy per instantiation without the accumulators that copy does not use; the
    /// walk over the tiles is inside, so a kernel makes one call per tile shape (the method is too large to inline).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TW, TV, TRows, TVectors, TRowStride, TEdge>(TileWalk walk, ref float a, int aStep, ref float b, int bStep, int count, ref float p, ref float dst, int dstStride)
        where TW : struct, ISimdWidth<TV>
        where TV : struct
        where TRows : struct, IConstantSize
        where TVectors : struct, IConstantSize
        where TRowStride : struct, IConstantSize
        where TEdge : struct, ITileEdge<TV>
    {
        int rows = TRows.Value, stride = TRowStride.Value;
        Debug.Assert(rows <= 12 && TVectors.Value <= 4);
        nuint w = (nuint)TW.Count;
        for (int u = 0; u < walk.Blocks; u++)
        {
            ref float a0 = ref a, b0 = ref b, p0 = ref p, dst0 = ref dst;
            for (int t = 0; t < walk.Tiles; t++)
            {
                TV c0_0 = default, c0_1 = default, c0_2 = default, c0_3 = default;
                TV c1_0 = default, c1_1 = default, c1_2 = default, c1_3 = default;
                TV c2_0 = default, c2_1 = default, c2_2 = default, c2_3 = default;
                TV c3_0 = default, c3_1 = default, c3_2 = default, c3_3 = default;
                TV c4_0 = default, c4_1 = default, c4_2 = default, c4_3 = default;
                TV c5_0 = default, c5_1 = default, c5_2 = default, c5_3 = default;
                TV c6_0 = default, c6_1 = default, c6_2 = default, c6_3 = default;
                TV c7_0 = default, c7_1 = default, c7_2 = default, c7_3 = default;
                TV c8_0 = default, c8_1 = default, c8_2 = default, c8_3 = default;
                TV c9_0 = default, c9_1 = default, c9_2 = default, c9_3 = default;
                TV c10_0 = default, c10_1 = default, c10_2 = default, c10_3 = default;
                TV c11_0 = default, c11_1 = default, c11_2 = default, c11_3 = default;
                StartRow<TW, TV, TVectors, TEdge>(ref dst, ref c0_0, ref c0_1, ref c0_2, ref c0_3);
                if (rows > 1) StartRow<TW, TV, TVectors, TEdge>(ref Unsafe.Add(ref dst, 1 * dstStride), ref c1_0, ref c1_1, ref c1_2, ref c1_3);
                if (rows > 2) StartRow<TW, TV, TVectors, TEdge>(ref Unsafe.Add(ref dst, 2 * dstStride), ref c2_0, ref c2_1, ref c2_2, ref c2_3);
                if (rows > 3) StartRow<TW, TV, TVectors, TEdge>(ref Unsafe.Add(ref dst, 3 * dstStride), ref c3_0, ref c3_1, ref c3_2, ref c3_3);
                if (rows > 4) StartRow<TW, TV, TVectors, TEdge>(ref Unsafe.Add(ref dst, 4 * dstStride), ref c4_0, ref c4_1, ref c4_2, ref c4_3);
                if (rows > 5) StartRow<TW, TV, TVectors, TEdge>(ref Unsafe.Add(ref dst, 5 * dstStride), ref c5_0, ref c5_1, ref c5_2, ref c5_3);
                if (rows > 6) StartRow<TW, TV, TVectors, TEdge>(ref Unsafe.Add(ref dst, 6 * dstStride), ref c6_0, ref c6_1, ref c6_2, ref c6_3);
                if (rows > 7) StartRow<TW, TV, TVectors, TEdge>(ref Unsafe.Add(ref dst, 7 * dstStride), ref c7_0, ref c7_1, ref c7_2, ref c7_3);
                if (rows > 8) StartRow<TW, TV, TVectors, TEdge>(ref Unsafe.Add(ref dst, 8 * dstStride), ref c8_0, ref c8_1, ref c8_2, ref c8_3);
                if (rows > 9) StartRow<TW, TV, TVectors, TEdge>(ref Unsafe.Add(ref dst, 9 * dstStride), ref c9_0, ref c9_1, ref c9_2, ref c9_3);
                if (rows > 10) StartRow<TW, TV, TVectors, TEdge>(ref Unsafe.Add(ref dst, 10 * dstStride), ref c10_0, ref c10_1, ref c10_2, ref c10_3);
                if (rows > 11) StartRow<TW, TV, TVectors, TEdge>(ref Unsafe.Add(ref dst, 11 * dstStride), ref c11_0, ref c11_1, ref c11_2, ref c11_3);
                ref float ak = ref a, bk = ref b;
                for (int k = 0; k < count; k++)
                {
                    TV x0 = TW.Load(ref bk, 0), x1 = default, x2 = default, x3 = default;
                    if (TVectors.Value > 1) x1 = TW.Load(ref bk, w);
                    if (TVectors.Value > 2) x2 = TW.Load(ref bk, 2 * w);
                    if (TVectors.Value > 3) x3 = TW.Load(ref bk, 3 * w);
                    FmaRow<TW, TV, TVectors>(TW.Create(ak), x0, x1, x2, x3, ref c0_0, ref c0_1, ref c0_2, ref c0_3);
                    if (rows > 1) FmaRow<TW, TV, TVectors>(TW.Create(Unsafe.Add(ref ak, 1 * stride)), x0, x1, x2, x3, ref c1_0, ref c1_1, ref c1_2, ref c1_3);
                    if (rows > 2) FmaRow<TW, TV, TVectors>(TW.Create(Unsafe.Add(ref ak, 2 * stride)), x0, x1, x2, x3, ref c2_0, ref c2_1, ref c2_2, ref c2_3);
                    if (rows > 3) FmaRow<TW, TV, TVectors>(TW.Create(Unsafe.Add(ref ak, 3 * stride)), x0, x1, x2, x3, ref c3_0, ref c3_1, ref c3_2, ref c3_3);
                    if (rows > 4) FmaRow<TW, TV, TVectors>(TW.Create(Unsafe.Add(ref ak, 4 * stride)), x0, x1, x2, x3, ref c4_0, ref c4_1, ref c4_2, ref c4_3);
                    if (rows > 5) FmaRow<TW, TV, TVectors>(TW.Create(Unsafe.Add(ref ak, 5 * stride)), x0, x1, x2, x3, ref c5_0, ref c5_1, ref c5_2, ref c5_3);
                    if (rows > 6) FmaRow<TW, TV, TVectors>(TW.Create(Unsafe.Add(ref ak, 6 * stride)), x0, x1, x2, x3, ref c6_0, ref c6_1, ref c6_2, ref c6_3);
                    if (rows > 7) FmaRow<TW, TV, TVectors>(TW.Create(Unsafe.Add(ref ak, 7 * stride)), x0, x1, x2, x3, ref c7_0, ref c7_1, ref c7_2, ref c7_3);
                    if (rows > 8) FmaRow<TW, TV, TVectors>(TW.Create(Unsafe.Add(ref ak, 8 * stride)), x0, x1, x2, x3, ref c8_0, ref c8_1, ref c8_2, ref c8_3);
                    if (rows > 9) FmaRow<TW, TV, TVectors>(TW.Create(Unsafe.Add(ref ak, 9 * stride)), x0, x1, x2, x3, ref c9_0, ref c9_1, ref c9_2, ref c9_3);
                    if (rows > 10) FmaRow<TW, TV, TVectors>(TW.Create(Unsafe.Add(ref ak, 10 * stride)), x0, x1, x2, x3, ref c10_0, ref c10_1, ref c10_2, ref c10_3);
                    if (rows > 11) FmaRow<TW, TV, TVectors>(TW.Create(Unsafe.Add(ref ak, 11 * stride)), x0, x1, x2, x3, ref c11_0, ref c11_1, ref c11_2, ref c11_3);
                    ak = ref Unsafe.Add(ref ak, aStep);
                    bk = ref Unsafe.Add(ref bk, bStep);
                }
                FinishRow<TW, TV, TVectors, TEdge>(c0_0, c0_1, c0_2, c0_3, ref p, 0, ref dst);
                if (rows > 1) FinishRow<TW, TV, TVectors, TEdge>(c1_0, c1_1, c1_2, c1_3, ref p, 1, ref Unsafe.Add(ref dst, 1 * dstStride));
                if (rows > 2) FinishRow<TW, TV, TVectors, TEdge>(c2_0, c2_1, c2_2, c2_3, ref p, 2, ref Unsafe.Add(ref dst, 2 * dstStride));
                if (rows > 3) FinishRow<TW, TV, TVectors, TEdge>(c3_0, c3_1, c3_2, c3_3, ref p, 3, ref Unsafe.Add(ref dst, 3 * dstStride));
                if (rows > 4) FinishRow<TW, TV, TVectors, TEdge>(c4_0, c4_1, c4_2, c4_3, ref p, 4, ref Unsafe.Add(ref dst, 4 * dstStride));
                if (rows > 5) FinishRow<TW, TV, TVectors, TEdge>(c5_0, c5_1, c5_2, c5_3, ref p, 5, ref Unsafe.Add(ref dst, 5 * dstStride));
                if (rows > 6) FinishRow<TW, TV, TVectors, TEdge>(c6_0, c6_1, c6_2, c6_3, ref p, 6, ref Unsafe.Add(ref dst, 6 * dstStride));
                if (rows > 7) FinishRow<TW, TV, TVectors, TEdge>(c7_0, c7_1, c7_2, c7_3, ref p, 7, ref Unsafe.Add(ref dst, 7 * dstStride));
                if (rows > 8) FinishRow<TW, TV, TVectors, TEdge>(c8_0, c8_1, c8_2, c8_3, ref p, 8, ref Unsafe.Add(ref dst, 8 * dstStride));
                if (rows > 9) FinishRow<TW, TV, TVectors, TEdge>(c9_0, c9_1, c9_2, c9_3, ref p, 9, ref Unsafe.Add(ref dst, 9 * dstStride));
                if (rows > 10) FinishRow<TW, TV, TVectors, TEdge>(c10_0, c10_1, c10_2, c10_3, ref p, 10, ref Unsafe.Add(ref dst, 10 * dstStride));
                if (rows > 11) FinishRow<TW, TV, TVectors, TEdge>(c11_0, c11_1, c11_2, c11_3, ref p, 11, ref Unsafe.Add(ref dst, 11 * dstStride));
                a = ref Unsafe.Add(ref a, walk.A);
                b = ref Unsafe.Add(ref b, walk.B);
                p = ref Unsafe.Add(ref p, walk.P);
                dst = ref Unsafe.Add(ref dst, walk.Dst);
            }
            a = ref Unsafe.Add(ref a0, walk.BlockA);
            b = ref Unsafe.Add(ref b0, walk.BlockB);
            p = ref Unsafe.Add(ref p0, walk.BlockP);
            dst = ref Unsafe.Add(ref dst0, walk.BlockDst);
        }
    }

    /// <summary>
    /// The tiles <see cref="Tile"/> computes: <see cref="Blocks"/> blocks of <see cref="Tiles"/> tiles, with how far a,
    /// b, p and dst move from one tile to the next (A, B, P, Dst) and from one block's first tile to the next's.
    /// </summary>
    private readonly record struct TileWalk(int Tiles, int A, int B, int P, int Dst, int Blocks = 1, int BlockA = 0, int BlockB = 0, int BlockP = 0, int BlockDst = 0);

    /// <summary>The first <typeparamref name="TVectors"/> accumulators of one tile row, as <typeparamref name="TEdge"/> starts them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StartRow<TW, TV, TVectors, TEdge>(ref float row, ref TV c0, ref TV c1, ref TV c2, ref TV c3)
        where TW : struct, ISimdWidth<TV>
        where TV : struct
        where TVectors : struct, IConstantSize
        where TEdge : struct, ITileEdge<TV>
    {
        nuint w = (nuint)TW.Count;
        c0 = TEdge.Start(ref row, 0);
        if (TVectors.Value > 1) c1 = TEdge.Start(ref row, w);
        if (TVectors.Value > 2) c2 = TEdge.Start(ref row, 2 * w);
        if (TVectors.Value > 3) c3 = TEdge.Start(ref row, 3 * w);
    }

    /// <summary>c[v] = a · x[v] + c[v], fused, for the first <typeparamref name="TVectors"/> accumulators of one tile row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FmaRow<TW, TV, TVectors>(TV a, TV x0, TV x1, TV x2, TV x3, ref TV c0, ref TV c1, ref TV c2, ref TV c3)
        where TW : struct, ISimdWidth<TV>
        where TV : struct
        where TVectors : struct, IConstantSize
    {
        c0 = TW.Fma(a, x0, c0);
        if (TVectors.Value > 1) c1 = TW.Fma(a, x1, c1);
        if (TVectors.Value > 2) c2 = TW.Fma(a, x2, c2);
        if (TVectors.Value > 3) c3 = TW.Fma(a, x3, c3);
    }

    /// <summary>The first <typeparamref name="TVectors"/> accumulators of tile row r, finished by <typeparamref name="TEdge"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishRow<TW, TV, TVectors, TEdge>(TV c0, TV c1, TV c2, TV c3, ref float p, int r, ref float row)
        where TW : struct, ISimdWidth<TV>
        where TV : struct
        where TVectors : struct, IConstantSize
        where TEdge : struct, ITileEdge<TV>
    {
        nuint w = (nuint)TW.Count;
        TEdge.Finish(c0, ref p, r, ref row, 0);
        if (TVectors.Value > 1) TEdge.Finish(c1, ref p, r, ref row, w);
        if (TVectors.Value > 2) TEdge.Finish(c2, ref p, r, ref row, 2 * w);
        if (TVectors.Value > 3) TEdge.Finish(c3, ref p, r, ref row, 3 * w);
    }

    /// <summary>Where a <see cref="Tile"/>'s accumulators start and where they go: the part of a batch kernel around its outer product.</summary>
    private interface ITileEdge<TV> where TV : struct
    {
        /// <summary>The accumulator of the destination row's vector at float <paramref name="index"/>.</summary>
        static abstract TV Start(ref float row, nuint index);

        /// <summary>Writes the finished accumulator of tile row <paramref name="r"/> to the destination row's vector at float <paramref name="index"/>.</summary>
        static abstract void Finish(TV acc, ref float p, int r, ref float row, nuint index);
    }

    /// <summary>ForwardChunk's edge: from zero; b[r] + acc through <typeparamref name="TAct"/> (p: the tile's first bias).</summary>
    private readonly struct Activated<TAct, TW, TV> : ITileEdge<TV>
        where TAct : struct, IFusedActivation
        where TW : struct, ISimdWidth<TV>
        where TV : struct
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Start(ref float row, nuint index) => default;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Finish(TV acc, ref float p, int r, ref float row, nuint index) =>
            TW.Store(TW.Activate<TAct>(TW.Add(acc, TW.Create(Unsafe.Add(ref p, r)))), ref row, index);
    }

    /// <summary>InputGradientChunk's edge: from zero; acc ⊙ f'(a) by <typeparamref name="TDerivative"/> (p: the activations of the tile's first row, [rows × 32]).</summary>
    private readonly struct Chained<TDerivative, TW, TV> : ITileEdge<TV>
        where TDerivative : struct, IActivationDerivative
        where TW : struct, ISimdWidth<TV>
        where TV : struct
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Start(ref float row, nuint index) => default;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Finish(TV acc, ref float p, int r, ref float row, nuint index) =>
            TW.Store(TW.Chain<TDerivative>(acc, TW.Load(ref Unsafe.Add(ref p, r * Chunk), index)), ref row, index);
    }

    /// <summary>WeightGradientChunk's edge: the gradient's current values, added to and stored back.</summary>
    private readonly struct Accumulated<TW, TV> : ITileEdge<TV>
        where TW : struct, ISimdWidth<TV>
        where TV : struct
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Start(ref float row, nuint index) => TW.Load(ref row, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Finish(TV acc, ref float p, int r, ref float row, nuint index) => TW.Store(acc, ref row, index);
    }

    /// <summary>The width's tile rows (<see cref="ISimdWidth{TVec}.TileRows"/>).</summary>
    private readonly struct WidthRows<TW, TV> : IConstantSize
        where TW : struct, ISimdWidth<TV>
        where TV : struct
    {
        public static int Value => TW.TileRows;
    }

    /// <summary>The vectors of the width across a chunk's 32 columns.</summary>
    private readonly struct ChunkVectors<TW, TV> : IConstantSize
        where TW : struct, ISimdWidth<TV>
        where TV : struct
    {
        public static int Value => Chunk / TW.Count;
    }

    /// <summary>
    /// The rows a kernel has left after its tiles of the width's rows (fewer than 12 on Vector512) go in tiles of 8, 4, 2
    /// and then 1 row: a tile's accumulators are independent chains of fused multiply-adds, and a one-row tile has only
    /// two (on Vector512), too few to cover the FMA latency (digits' 10-row output layer, the last 8 of mnist's 128 rows).
    /// The shape changes no bits (see <see cref="Tile"/>).
    /// </summary>
    private readonly struct Rows8 : IConstantSize
    {
        public static int Value => 8;
    }

    private readonly struct Rows4 : IConstantSize
    {
        public static int Value => 4;
    }

    private readonly struct Rows2 : IConstantSize
    {
        public static int Value => 2;
    }

    /// <summary>1: one row, one vector or a unit stride.</summary>
    private readonly struct One : IConstantSize
    {
        public static int Value => 1;
    }

    /// <summary>The stride between a feature-major block's rows.</summary>
    private readonly struct ChunkStride : IConstantSize
    {
        public static int Value => Chunk;
    }
}
