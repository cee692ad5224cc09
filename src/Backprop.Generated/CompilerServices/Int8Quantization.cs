// Compiled into the runtime and, linked, into the generator (see the generator's project file): the generator
// quantizes baked weights at build time with the very rule the runtime quantizes each layer's input with, so the
// runtime tests can check the generator's constants against it.
using System;
using System.ComponentModel;

#if BACKPROP_GENERATOR
namespace Backprop.Generated.Generators.Shared;
#else
namespace Backprop.Generated.CompilerServices;
#endif

/// <summary>
/// The symmetric int8 quantization rules of <c>Precision.Int8</c> networks: q = clamp(round-to-nearest-even(v · inverse),
/// −127, 127) (<see cref="Quantize"/>), so v ≈ scale · q with |q| ≤ 127 (−128 is never used, which keeps every product
/// within ±16,129). Weight rows (at build time, one scale per output unit): scale = max|w| / 127, inverse 127 / max|w|
/// (<see cref="Scale"/>, <see cref="InverseScale"/>); a row whose max|w| is below <see cref="SmallestMaxAbs"/> (about
/// 3.7e-37, where 127 / max|w| would overflow to infinity; an all-zero row among them) counts as zero. Layer inputs (at
/// run time, one scale per sample): a power of two with max|x| / scale in [63.75, 127.5) (<see cref="InputScale"/>,
/// <see cref="InputInverseScale"/>; zero below <see cref="SmallestInputMaxAbs"/>), which makes the rescale after the
/// integer sums a single rounding and costs no division. Values are multiplied by the inverse of the scale rather than
/// divided by the scale (one multiplication per value vectorizes cheaply). Values must be finite.
/// Used by generated code and by the generator.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
#if BACKPROP_GENERATOR
internal
#else
public
#endif
static class Int8Quantization
{
    /// <summary>The largest quantized magnitude.</summary>
    public const int MaxLevel = 127;

    /// <summary>
    /// The largest fan-in whose int32 accumulation cannot overflow: n · 127 · 127 ≤ 2³¹ − 1, so n ≤ 133,144. A layer with
    /// more inputs is a compile error (BPG0131).
    /// </summary>
    public const int MaxFanIn = int.MaxValue / (MaxLevel * MaxLevel);

    /// <summary>
    /// The largest fan-in whose int32 sums are exact in float32: n · 127 · 127 ≤ 2²⁴, so n ≤ 1,040. A layer with at most
    /// this many inputs scales its sums back in float32 with one fused multiply-add, z = fma(t, s_x · s_w, b), the exact
    /// value rounded once (s_x a power of two makes s_x · s_w exact while it is a normal float; where it is not, that
    /// unit takes the float64 form), a wider layer in float64 (<c>Int8Kernels.RescaleOne</c>).
    /// </summary>
    public const int MaxFloat32RescaleFanIn = (1 << 24) / (MaxLevel * MaxLevel);

    /// <summary>
    /// The smallest max|x| of a layer's input quantized with a scale: 2⁻¹²⁰ (about 7.5e-37), a round cut-off a little
    /// above the smallest maximum whose power-of-two scale (<see cref="InputScale"/>) is a normal float (2⁻¹²⁶ from
    /// about 1.99 · 2⁻¹²¹ on). A sample with a smaller max|x| (an all-zero one among them) counts as zero: scale 0, every
    /// value quantized to 0, on every path.
    /// </summary>
    public const float SmallestInputMaxAbs = 7.523164e-37f;

#if !BACKPROP_GENERATOR
    // run time only (the generator quantizes weights, not inputs; netstandard2.0 lacks these BitConverter members)
    /// <summary>
    /// The scale of a layer's input (per sample, at run time) whose largest magnitude is <paramref name="maxAbs"/> (finite,
    /// at least 0): the power of two 2^k with max|x| / 2^k in [63.75, 127.5), so the levels reach at least ±64 and
    /// rounding never passes ±127: k = e − 6 for maxAbs = m · 2^e with m in [1, 127.5 / 64), k = e − 5 for m in
    /// [127.5 / 64, 2). A power of two makes q = x / 2^k a rounding of an exact quotient and s_x · s_w exact, so the
    /// rescale is one rounding (<see cref="MaxFloat32RescaleFanIn"/>); it costs at most one bit of the input's resolution
    /// against max|x| / 127. 0 below <see cref="SmallestInputMaxAbs"/>. Found from the bits, with no division.
    /// </summary>
    public static float InputScale(float maxAbs) => maxAbs < SmallestInputMaxAbs ? 0f : BitConverter.Int32BitsToSingle(InputScaleBits(BitConverter.SingleToInt32Bits(maxAbs)));

    /// <summary>1 / <see cref="InputScale"/>, exact (a power of two): what the input values are multiplied by before rounding; 0 below <see cref="SmallestInputMaxAbs"/>.</summary>
    public static float InputInverseScale(float maxAbs) => maxAbs < SmallestInputMaxAbs ? 0f : BitConverter.Int32BitsToSingle(InverseBits - InputScaleBits(BitConverter.SingleToInt32Bits(maxAbs)));

    /// <summary>Added to max|x|'s bits: carries into the exponent field exactly where the mantissa field is at least 0x7F0000 (m ≥ 127.5 / 64).</summary>
    internal const int ScaleCarry = 0x00010000;

    /// <summary>The exponent field of a float.</summary>
    internal const int ExponentField = 0x7F800000;

    /// <summary>Six binades: max|x| / 2^k in [64, 128) before the carry.</summary>
    internal const int LevelBinades = 6 << 23;

    /// <summary>The bits of 2^k plus those of 2^−k (exponent fields 127 + k and 127 − k).</summary>
    internal const int InverseBits = 254 << 23;

    /// <summary>
    /// The bits of 2^k for a finite maxAbs ≥ <see cref="SmallestInputMaxAbs"/> (bits <paramref name="maxBits"/>): its
    /// exponent field less 6, plus one where the mantissa field is at least 0x7F0000 (m ≥ 127.5 / 64): adding
    /// <see cref="ScaleCarry"/> carries into the exponent field exactly then (a finite maxAbs has an exponent field of at
    /// most 0xFE, so the sum stays below the sign bit). <see cref="InputScaleBits(System.Runtime.Intrinsics.Vector256{int})"/>
    /// does the same steps lane by lane.
    /// </summary>
    private static int InputScaleBits(int maxBits) => ((maxBits + ScaleCarry) & ExponentField) - LevelBinades;

    /// <summary><see cref="InputScaleBits(int)"/> in every lane (the vectorized quantizers of <c>Int8Kernels</c>).</summary>
    internal static System.Runtime.Intrinsics.Vector256<int> InputScaleBits(System.Runtime.Intrinsics.Vector256<int> maxBits) =>
        ((maxBits + System.Runtime.Intrinsics.Vector256.Create(ScaleCarry)) & System.Runtime.Intrinsics.Vector256.Create(ExponentField))
        - System.Runtime.Intrinsics.Vector256.Create(LevelBinades);
#endif

    /// <summary>
    /// The smallest max|v| quantized with a scale: 127 / maxAbs is finite in float32 from this value on (bits 0x02FE0001,
    /// about 3.73e-37) and rounds to infinity below it. A smaller max|v| counts as zero (scale 0, all values 0), so no
    /// quantizer ever multiplies by infinity (whose conversion to int differs between the scalar and vector paths).
    /// </summary>
    public const float SmallestMaxAbs = 3.7321948e-37f;

    /// <summary>The scale of a span whose largest magnitude is <paramref name="maxAbs"/>: maxAbs / 127 (0 below <see cref="SmallestMaxAbs"/>).</summary>
    public static float Scale(float maxAbs) => maxAbs < SmallestMaxAbs ? 0f : maxAbs / MaxLevel;

    /// <summary>
    /// What values are multiplied by before rounding: 127 / maxAbs, always finite (0 below <see cref="SmallestMaxAbs"/>,
    /// so everything quantizes to 0, as the scale 0 says).
    /// </summary>
    public static float InverseScale(float maxAbs) => maxAbs < SmallestMaxAbs ? 0f : MaxLevel / maxAbs;

    /// <summary>The largest magnitude of <paramref name="values"/> (0 for an empty span).</summary>
    public static float MaxAbs(ReadOnlySpan<float> values)
    {
        float max = 0f;
        foreach (float v in values)
        {
            float a = Math.Abs(v);
            if (a > max) max = a;
        }
        return max;
    }

    /// <summary>
    /// <paramref name="value"/> quantized with <paramref name="inverseScale"/> (<see cref="InverseScale"/> for weights,
    /// <see cref="InputInverseScale"/> for layer inputs):
    /// clamp(round-to-nearest-even(value · inverseScale), −127, 127). The product is one float multiplication and the
    /// rounding is exact, so this gives the same integer on every machine and in the vectorized quantizer of the
    /// runtime's <c>Int8Kernels</c>.
    /// </summary>
    public static int Quantize(float value, float inverseScale)
    {
        float ratio = value * inverseScale;
        double rounded = Math.Round((double)ratio, MidpointRounding.ToEven);
        return rounded > MaxLevel ? MaxLevel : rounded < -MaxLevel ? -MaxLevel : (int)rounded;
    }

    /// <summary>
    /// Quantizes each row of a [rows × columns] row-major matrix with its own scale: <paramref name="quantized"/>
    /// receives the int8 values in the same layout, <paramref name="scales"/> one scale per row.
    /// </summary>
    public static void QuantizeRows(ReadOnlySpan<float> matrix, int rows, int columns, Span<sbyte> quantized, Span<float> scales)
    {
        if (matrix.Length != rows * columns || quantized.Length != rows * columns || scales.Length != rows)
        {
            throw new ArgumentException($"QuantizeRows: a [{rows} × {columns}] matrix needs {rows * columns} values and as many outputs and {rows} scales; got {matrix.Length}, {quantized.Length} and {scales.Length}.");
        }
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = matrix.Slice(r * columns, columns);
            float maxAbs = MaxAbs(row);
            float inverse = InverseScale(maxAbs);
            scales[r] = Scale(maxAbs);
            for (int c = 0; c < columns; c++)
            {
                quantized[r * columns + c] = (sbyte)Quantize(row[c], inverse);
            }
        }
    }
}
