using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// The convolution of <c>Precision.Int8</c> networks, over samples stored one after another (channel-major, as
/// <see cref="ConvKernels"/>): each sample's whole input quantized with one scale (<see cref="Int8Kernels.QuantizeInput"/>:
/// symmetric, s_x the power of two of <see cref="Int8Quantization.InputScale"/> for max|x| over the sample's channels × height × width), the filters quantized at build time one
/// scale per filter (s_w[f] = max|W[f]| / 127 over its in-channels × kernel), and
/// <code>
/// z[f, y, x] = act( s_x · s_w[f] · Σ_c Σ_u Σ_v q_W[f, c, u, v] · q_x[c, y·sy + u·dy − py, x·sx + v·dx − px] + b[f] )
/// </code>
/// with the sum exact in int32 (zeros outside the input) and scaled back by <c>Int8Kernels.RescaleOne</c>'s rule for the
/// patch's fan-in (float32 up to 1,040 inputs, float64 beyond; within 1 ulp of the exact value).
/// <para>
/// The sum is a matrix product (<see cref="Int8Kernels.MatrixProduct"/>, filters as rows): for a block of
/// <see cref="Int8ConvLayout.PositionBlock"/> output positions the kernel copies each position's receptive field into a
/// row of bytes in the weights' (c, u, v) order (im2col), from planes with the padding written as zeros, once for the
/// magnitudes of the positive values and, when the sample has a negative value, once for those of the negative ones
/// (Σ q·w = Σ q⁺·w − Σ q⁻·w, as <see cref="Int8Kernels.DenseForward{TAct}"/>). A kernel row of at most 8 taps without
/// dilation is copied as one 8-byte move (the excess is overwritten by the next move or lands in slack). Fan-ins under
/// 32 are padded with zero weights to 32 so the product runs on whole vectors. The sums of a block are scaled back
/// position by position over the filters (eight lanes at a time, the same IEEE operations as the scalar loop), then
/// stored transposed into the channel-major output. Integer sums are exact, so every SIMD path (Avx512BW, Avx2,
/// scalar) gives the same bits, and a batch gives the bits of one sample at a time.
/// </para>
/// Used by generated code; versioned with the generator (one package).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Int8ConvKernels
{
    /// <summary>Bytes of scratch one <see cref="Forward{TAct}"/> call needs, for any number of samples.</summary>
    internal static int ScratchBytes(in ConvShape shape) => Int8ConvLayout.ScratchBytes(shape);

    /// <summary>
    /// The int8 convolution of <paramref name="samples"/> samples (see the class remarks): <paramref name="weights"/>
    /// [filters × in-channels × kernel height × kernel width] int8, <paramref name="weightScales"/> one per filter,
    /// <paramref name="biases"/> one per filter (float32); <paramref name="scratch"/> holds at least
    /// <see cref="ScratchBytes"/> bytes. The activation is applied in float32 after the scaling.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than the shape needs.</exception>
    public static void Forward<TAct>(in ConvShape shape, ReadOnlySpan<sbyte> weights, ReadOnlySpan<float> weightScales, ReadOnlySpan<float> biases,
        ReadOnlySpan<float> input, Span<float> output, int samples, Span<byte> scratch)
        where TAct : struct, IFusedActivation
    {
        int filters = shape.Filters, fanIn = shape.FanIn, padded = Int8ConvLayout.PaddedFanIn(fanIn);
        int inSize = shape.InputSize, outSize = shape.OutputSize, positions = shape.OutHeight * shape.OutWidth;
        if (weights.Length < filters * fanIn || weightScales.Length < filters || biases.Length < filters ||
            input.Length < samples * inSize || output.Length < samples * outSize || scratch.Length < ScratchBytes(shape))
        {
            throw new ArgumentException(
                $"Int8ConvKernels.Forward: {samples} samples of a {shape.InChannels}×{shape.InHeight}×{shape.InWidth} → {filters}×{shape.OutHeight}×{shape.OutWidth} convolution need " +
                $"{filters * fanIn} weights, {filters} scales and biases, {samples * inSize} inputs, {samples * outSize} outputs and {ScratchBytes(shape)} scratch bytes; " +
                $"got {weights.Length}, {weightScales.Length}, {biases.Length}, {input.Length}, {output.Length} and {scratch.Length}.");
        }
        const int block = Int8ConvLayout.PositionBlock, slack = Int8ConvLayout.Slack;
        int planeBytes = Int8ConvLayout.PaddedPlaneBytes(shape);
        int at = 0;
        Span<int> sums = MemoryMarshal.Cast<byte, int>(scratch.Slice(at, 4 * block * filters));
        at += 4 * block * filters;
        Span<byte> positive = scratch.Slice(at, inSize + slack);
        at += inSize + slack;
        Span<byte> negative = scratch.Slice(at, inSize + slack);
        at += inSize + slack;
        Span<byte> planesPositive = scratch.Slice(at, planeBytes + slack);
        at += planeBytes + slack;
        Span<byte> planesNegative = scratch.Slice(at, planeBytes + slack);
        at += planeBytes + slack;
        Span<byte> patchesPositive = scratch.Slice(at, block * padded + slack);
        at += block * padded + slack;
        Span<byte> patchesNegative = scratch.Slice(at, block * padded + slack);
        at += block * padded + slack;
        ReadOnlySpan<sbyte> w = weights.Slice(0, filters * fanIn);
        if (padded != fanIn)
        {
            // rows of `padded` bytes, the extra weights 0: their products are 0 whatever the patch bytes there hold
            Span<sbyte> wide = MemoryMarshal.Cast<byte, sbyte>(scratch.Slice(at, filters * padded));
            wide.Clear();
            for (int f = 0; f < filters; f++) weights.Slice(f * fanIn, fanIn).CopyTo(wide.Slice(f * padded, fanIn));
            w = wide;
        }
        bool pad = shape.PaddingX != 0 || shape.PaddingY != 0;
        for (int s = 0; s < samples; s++)
        {
            float sx = Int8Kernels.QuantizeInput(input.Slice(s * inSize, inSize), positive, negative, out bool hasNegative);
            ReadOnlySpan<byte> planePositive = positive, planeNegative = negative;
            if (pad)
            {
                Pad(shape, positive, planesPositive);
                planePositive = planesPositive;
                if (hasNegative)
                {
                    Pad(shape, negative, planesNegative);
                    planeNegative = planesNegative;
                }
            }
            Span<float> z = output.Slice(s * outSize, outSize);
            for (int p0 = 0; p0 < positions; p0 += block)
            {
                int count = Math.Min(block, positions - p0);
                Patches(shape, planePositive, p0, count, padded, patchesPositive);
                Int8Kernels.MatrixProduct(w, filters, padded, patchesPositive, count, sums, subtract: false);
                if (hasNegative)
                {
                    Patches(shape, planeNegative, p0, count, padded, patchesNegative);
                    Int8Kernels.MatrixProduct(w, filters, padded, patchesNegative, count, sums, subtract: true);
                }
                Span<float> values = MemoryMarshal.Cast<int, float>(sums.Slice(0, count * filters));
                for (int j = 0; j < count; j++)
                {
                    Int8Kernels.Rescale<TAct>(sums.Slice(j * filters, filters), sx, weightScales, biases, values.Slice(j * filters, filters), fanIn);
                }
                // [count × filters] to the channel-major output: z[f, p0 + j]
                for (int f = 0; f < filters; f++)
                {
                    Span<float> row = z.Slice(f * positions + p0, count);
                    for (int j = 0; j < count; j++) row[j] = values[j * filters + f];
                }
            }
        }
    }

    /// <summary>The sample's quantized channels copied into planes with <c>padding</c> zero rows and columns around each.</summary>
    private static void Pad(in ConvShape shape, ReadOnlySpan<byte> source, Span<byte> planes)
    {
        int h = shape.InHeight, wd = shape.InWidth;
        int hp = h + 2 * shape.PaddingY, wp = wd + 2 * shape.PaddingX;
        planes.Slice(0, shape.InChannels * hp * wp).Clear();
        for (int c = 0; c < shape.InChannels; c++)
        {
            for (int y = 0; y < h; y++)
            {
                source.Slice((c * h + y) * wd, wd).CopyTo(planes.Slice((c * hp + y + shape.PaddingY) * wp + shape.PaddingX, wd));
            }
        }
    }

    /// <summary>
    /// Patches of positions p0 .. p0 + count − 1 (row-major over the output), one row of <paramref name="rowLength"/>
    /// bytes each: patch[j, (c·kh + u)·kw + v] = plane[c, y·sy + u·dy, x·sx + v·dx] in padded coordinates. Bytes past the
    /// fan-in in a row are left as they are (their weights are 0).
    /// </summary>
    private static void Patches(in ConvShape shape, ReadOnlySpan<byte> planes, int p0, int count, int rowLength, Span<byte> patches)
    {
        int kh = shape.KernelHeight, kw = shape.KernelWidth, channels = shape.InChannels;
        int hp = shape.InHeight + 2 * shape.PaddingY, wp = shape.InWidth + 2 * shape.PaddingX;
        int outWidth = shape.OutWidth, sy = shape.StrideY, sxs = shape.StrideX, dy = shape.DilationY, dx = shape.DilationX;
        ref byte src = ref MemoryMarshal.GetReference(planes);
        ref byte dst = ref MemoryMarshal.GetReference(patches);
        bool moves = dx == 1 && kw <= 8;
        for (int j = 0; j < count; j++)
        {
            int p = p0 + j, oy = p / outWidth, ox = p - oy * outWidth;
            ref byte row = ref Unsafe.Add(ref dst, j * rowLength);
            int k = 0;
            for (int c = 0; c < channels; c++)
            {
                for (int u = 0; u < kh; u++)
                {
                    ref byte from = ref Unsafe.Add(ref src, (c * hp + oy * sy + u * dy) * wp + ox * sxs);
                    if (moves)
                    {
                        // kw ≤ 8 contiguous bytes as one 8-byte move: the excess is overwritten by the next move or
                        // falls past the row (the next patch, written later, or the slack)
                        Unsafe.WriteUnaligned(ref Unsafe.Add(ref row, k), Unsafe.ReadUnaligned<ulong>(ref from));
                    }
                    else
                    {
                        for (int v = 0; v < kw; v++) Unsafe.Add(ref row, k + v) = Unsafe.Add(ref from, v * dx);
                    }
                    k += kw;
                }
            }
        }
    }
}
