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
/// The one symmetric int8 quantization rule of <c>Precision.Int8</c> networks, for weight rows (at build time, one
/// scale per output unit) and for layer inputs (at run time, one scale per sample): scale = max|v| / 127 and
/// q = clamp(round-to-nearest-even(v · (127 / max|v|)), −127, 127), so v ≈ scale · q with |q| ≤ 127 (−128 is never used,
/// which keeps every product within ±16,129). The values are multiplied by the inverse of the scale, 127 / max|v| (one
/// float division per span), rather than divided by the scale (one per value): the same rule at build time and at run
/// time, and a multiplication vectorizes cheaply. A span whose max|v| is below <see cref="SmallestMaxAbs"/> (about
/// 3.7e-37, where 127 / max|v| would overflow to infinity; an all-zero span among them) counts as zero: scale 0, every
/// value quantized to 0, on every path. Values must be finite.
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
    /// <paramref name="value"/> quantized with <paramref name="inverseScale"/> (<see cref="InverseScale"/>):
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
