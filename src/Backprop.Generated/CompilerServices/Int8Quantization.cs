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
/// q = clamp(round-to-nearest-even(v / scale), −127, 127), so v ≈ scale · q with |q| ≤ 127 (−128 is never used, which
/// keeps every product within ±16,129). An all-zero span has scale 0 and quantizes to zeros. Values must be finite.
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
    /// more inputs is a compile error (BPG0121).
    /// </summary>
    public const int MaxFanIn = int.MaxValue / (MaxLevel * MaxLevel);

    /// <summary>The scale of a span whose largest magnitude is <paramref name="maxAbs"/>: maxAbs / 127 (0 for 0).</summary>
    public static float Scale(float maxAbs) => maxAbs / MaxLevel;

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
    /// <paramref name="value"/> quantized with <paramref name="scale"/>: clamp(round-to-nearest-even(value / scale),
    /// −127, 127); 0 when the scale is 0. The division is one float division and the rounding is exact, so this gives
    /// the same integer on every machine and in the vectorized quantizer of <see cref="Int8Kernels"/>.
    /// </summary>
    public static int Quantize(float value, float scale)
    {
        if (scale == 0f) return 0;
        float ratio = value / scale;
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
            float scale = Scale(MaxAbs(row));
            scales[r] = scale;
            for (int c = 0; c < columns; c++)
            {
                quantized[r * columns + c] = (sbyte)Quantize(row[c], scale);
            }
        }
    }
}
