using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// Element-wise activations over a span, in place: what a convolution layer's forward pass applies to its
/// pre-activations after <see cref="ConvKernels.Forward"/>. Used by generated code; versioned with the generator (one
/// package).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ActivationKernels
{
    /// <summary>
    /// <c>values[i] = max(0, values[i])</c> with exactly the bits of <c>MathF.Max(z, 0f)</c>, which is also what
    /// PyTorch's <c>relu</c> gives: a NaN stays NaN (it propagates, as in PyTorch, rather than becoming 0 as x86's
    /// <c>maxps(z, 0)</c> would make it), −0 becomes +0, negatives become +0: <see cref="ReLUActivation.Apply(Vector512{float})"/>
    /// and its narrower forms (one compare and one and-not per vector), the scalar tail by <c>MathF.Max</c>.
    /// </summary>
    public static void ReLU(Span<float> values)
    {
        ref float r = ref MemoryMarshal.GetReference(values);
        nuint n = (nuint)values.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 64 <= n; i += 64)
            {
                Store512(ref r, i); Store512(ref r, i + 16); Store512(ref r, i + 32); Store512(ref r, i + 48);
            }
            for (; i + 16 <= n; i += 16) Store512(ref r, i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 32 <= n; i += 32)
            {
                Store256(ref r, i); Store256(ref r, i + 8); Store256(ref r, i + 16); Store256(ref r, i + 24);
            }
            for (; i + 8 <= n; i += 8) Store256(ref r, i);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; i + 4 <= n; i += 4)
            {
                Vector128<float> z = Vector128.LoadUnsafe(ref r, i);
                ReLUActivation.Apply(z).StoreUnsafe(ref r, i);
            }
        }
        for (; i < n; i++)
        {
            Unsafe.Add(ref r, i) = ReLUActivation.Apply(Unsafe.Add(ref r, i));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(ref float r, nuint i)
    {
        Vector512<float> z = Vector512.LoadUnsafe(ref r, i);
        ReLUActivation.Apply(z).StoreUnsafe(ref r, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(ref float r, nuint i)
    {
        Vector256<float> z = Vector256.LoadUnsafe(ref r, i);
        ReLUActivation.Apply(z).StoreUnsafe(ref r, i);
    }
}
