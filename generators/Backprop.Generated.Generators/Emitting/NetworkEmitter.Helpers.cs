using System.Linq;

namespace Backprop.Generated.Generators.Emitting;

internal sealed partial class NetworkEmitter
{
    private bool HasLoopLayers => !_model.IsDenseOnly || _layers.Any(l => !Unrolled(l));

    /// <summary>File-local helpers: argument checks and, for looped layers, the SIMD kernels.</summary>
    private void EmitFileHelpers()
    {
        _w.Line();
        _w.Line("/// <summary>Argument checks shared by Forward and Backward.</summary>");
        using (_w.Block("file static class BackpropGuard"))
        {
            _w.Line("/// <summary>The number of samples k, after checking both lengths hold exactly k samples.</summary>");
            using (_w.Block("public static int SampleCount(int firstLength, int firstSize, int secondLength, int secondSize, string firstName, string secondName)"))
            {
                using (_w.Block("if (firstLength == 0 || firstLength % firstSize != 0)"))
                {
                    _w.Line("throw new global::System.ArgumentException(");
                    _w.Line("    $\"{firstName}.Length must be a positive multiple of {firstSize} (one sample is {firstSize} float{(firstSize == 1 ? \"\" : \"s\")}), but is {firstLength}.\", firstName);");
                }
                _w.Line("int k = firstLength / firstSize;");
                using (_w.Block("if (secondLength != k * secondSize)"))
                {
                    _w.Line("throw new global::System.ArgumentException(");
                    _w.Line("    $\"{secondName}.Length must be {k * secondSize} ({k} sample{(k == 1 ? \"\" : \"s\")} of {secondSize} float{(secondSize == 1 ? \"\" : \"s\")}, as in {firstName}), but is {secondLength}.\", secondName);");
                }
                _w.Line("return k;");
            }
        }

        if (!HasLoopLayers)
        {
            return;
        }

        _w.Line();
        _w.Line("/// <summary>Vector kernels for the layers too large to unroll.</summary>");
        using (_w.Block("file static class BackpropKernels"))
        {
            if (_model.IsDenseOnly)
            {
                BatchKernels.EmitFma(_w);
                SampleKernels.Emit(_w);
                BatchKernels.Emit(_w);
            }
            else
            {
                EmitStagedKernels();
            }
        }
        if (UsesBatchPath)
        {
            BatchKernels.EmitSizeTypes(_w, _layers.Select(l => l.Inputs));
        }
    }

    /// <summary>The dot product and scaled add the staged (batch-major) path loops over.</summary>
    private void EmitStagedKernels()
    {
        {
            _w.Line("/// <summary>Σ_i a[i] · b[i] over equal-length spans.</summary>");
            _w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
            using (_w.Block($"public static float Dot({RoSpan} a, {RoSpan} b)"))
            {
                _w.Line("ref float ra = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(a);");
                _w.Line("ref float rb = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(b);");
                _w.Line("int n = a.Length;");
                _w.Line("int i = 0;");
                _w.Line("float sum = 0f;");
                using (_w.Block("if (global::System.Numerics.Vector.IsHardwareAccelerated && n >= global::System.Numerics.Vector<float>.Count)"))
                {
                    _w.Line("int width = global::System.Numerics.Vector<float>.Count;");
                    _w.Line("global::System.Numerics.Vector<float> s0 = global::System.Numerics.Vector<float>.Zero;");
                    _w.Line("global::System.Numerics.Vector<float> s1 = global::System.Numerics.Vector<float>.Zero;");
                    using (_w.Block("for (; i <= n - 2 * width; i += 2 * width)"))
                    {
                        _w.Line("s0 += global::System.Numerics.Vector.LoadUnsafe(ref ra, (nuint)i) * global::System.Numerics.Vector.LoadUnsafe(ref rb, (nuint)i);");
                        _w.Line("s1 += global::System.Numerics.Vector.LoadUnsafe(ref ra, (nuint)(i + width)) * global::System.Numerics.Vector.LoadUnsafe(ref rb, (nuint)(i + width));");
                    }
                    using (_w.Block("for (; i <= n - width; i += width)"))
                    {
                        _w.Line("s0 += global::System.Numerics.Vector.LoadUnsafe(ref ra, (nuint)i) * global::System.Numerics.Vector.LoadUnsafe(ref rb, (nuint)i);");
                    }
                    _w.Line("sum = global::System.Numerics.Vector.Sum(s0 + s1);");
                }
                using (_w.Block("for (; i < n; i++)"))
                {
                    _w.Line("sum += global::System.Runtime.CompilerServices.Unsafe.Add(ref ra, i) * global::System.Runtime.CompilerServices.Unsafe.Add(ref rb, i);");
                }
                _w.Line("return sum;");
            }
            _w.Line();
            _w.Line("/// <summary>y[i] += alpha · x[i] over equal-length spans.</summary>");
            _w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
            using (_w.Block($"public static void AddScaled({Span} y, float alpha, {RoSpan} x)"))
            {
                _w.Line("ref float ry = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(y);");
                _w.Line("ref float rx = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(x);");
                _w.Line("int n = y.Length;");
                _w.Line("int i = 0;");
                using (_w.Block("if (global::System.Numerics.Vector.IsHardwareAccelerated && n >= global::System.Numerics.Vector<float>.Count)"))
                {
                    _w.Line("int width = global::System.Numerics.Vector<float>.Count;");
                    _w.Line("global::System.Numerics.Vector<float> scale = new global::System.Numerics.Vector<float>(alpha);");
                    using (_w.Block("for (; i <= n - width; i += width)"))
                    {
                        _w.Line("global::System.Numerics.Vector<float> sum = global::System.Numerics.Vector.LoadUnsafe(ref ry, (nuint)i) + scale * global::System.Numerics.Vector.LoadUnsafe(ref rx, (nuint)i);");
                        _w.Line("global::System.Numerics.Vector.StoreUnsafe(sum, ref ry, (nuint)i);");
                    }
                }
                using (_w.Block("for (; i < n; i++)"))
                {
                    _w.Line("global::System.Runtime.CompilerServices.Unsafe.Add(ref ry, i) += alpha * global::System.Runtime.CompilerServices.Unsafe.Add(ref rx, i);");
                }
            }
        }
    }
}
