using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// An activation a kernel applies to z = W·x + b before storing it, chosen by a type argument
/// (<c>Gemv&lt;ReLUActivation&gt;</c>): the JIT compiles one copy of the kernel per activation with the activation
/// inlined, so there is no per-element branch on an activation code. Only activations that cost a compare or a
/// multiply are fused; tanh, sigmoid and softmax are applied by the generated code after the kernel (with
/// <see cref="LinearActivation"/> here). Used by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IFusedActivation
{
    /// <summary>f(z) for one value.</summary>
    static abstract float Apply(float z);

    /// <summary>f(z) lane by lane.</summary>
    static abstract Vector128<float> Apply(Vector128<float> z);

    /// <summary>f(z) lane by lane.</summary>
    static abstract Vector256<float> Apply(Vector256<float> z);

    /// <summary>f(z) lane by lane.</summary>
    static abstract Vector512<float> Apply(Vector512<float> z);
}

/// <summary>
/// The derivative of an activation written in terms of its output a = f(z), multiplied into an incoming gradient:
/// g ⊙ f'(z). Every activation a Dense layer below a looped layer can have is expressible from its output, so the
/// batch kernels need not keep z. Used by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IActivationDerivative
{
    /// <summary>g · f'(z), from a = f(z).</summary>
    static abstract float Chain(float g, float a);

    /// <summary>g · f'(z), from a = f(z), lane by lane.</summary>
    static abstract Vector256<float> Chain(Vector256<float> g, Vector256<float> a);

    /// <summary>g · f'(z), from a = f(z), lane by lane.</summary>
    static abstract Vector512<float> Chain(Vector512<float> g, Vector512<float> a);
}

/// <summary>f(z) = z, f'(z) = 1.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct LinearActivation : IFusedActivation, IActivationDerivative
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Apply(float z) => z;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Apply(Vector128<float> z) => z;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply(Vector256<float> z) => z;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply(Vector512<float> z) => z;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Chain(float g, float a) => g;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Chain(Vector256<float> g, Vector256<float> a) => g;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Chain(Vector512<float> g, Vector512<float> a) => g;
}

/// <summary>
/// f(z) = max(0, z); f'(z) = 1 where z &gt; 0 (so where a &gt; 0), else 0 (0 at z = 0, as PyTorch). The vector forms
/// clear the lanes where z ≤ 0 and keep the rest, so they give <see cref="MathF.Max(float, float)"/>'s bits on every
/// runtime: NaN stays NaN (as torch.relu), −0 becomes +0 (<c>Vector*.Max</c> returns 0 for NaN on .NET 8).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct ReLUActivation : IFusedActivation, IActivationDerivative
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Apply(float z) => MathF.Max(z, 0f);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Apply(Vector128<float> z) => Vector128.AndNot(z, Vector128.LessThanOrEqual(z, Vector128<float>.Zero));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply(Vector256<float> z) => Vector256.AndNot(z, Vector256.LessThanOrEqual(z, Vector256<float>.Zero));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply(Vector512<float> z) => Vector512.AndNot(z, Vector512.LessThanOrEqual(z, Vector512<float>.Zero));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Chain(float g, float a) => a > 0f ? g : 0f;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Chain(Vector256<float> g, Vector256<float> a) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(a, Vector256<float>.Zero), g, Vector256<float>.Zero);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Chain(Vector512<float> g, Vector512<float> a) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(a, Vector512<float>.Zero), g, Vector512<float>.Zero);
}

/// <summary>
/// f(z) = z for z &gt; 0, else <see cref="Slope"/> · z; f'(z) = 1 where z &gt; 0 (so where a &gt; 0), else the slope.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct LeakyReLUActivation : IFusedActivation, IActivationDerivative
{
    /// <summary>The negative slope, PyTorch's <c>nn.LeakyReLU</c> default.</summary>
    public const float Slope = ActivationConstants.LeakyReLUSlope;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Apply(float z) => z > 0f ? z : Slope * z;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Apply(Vector128<float> z) =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(z, Vector128<float>.Zero), z, z * Slope);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply(Vector256<float> z) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256<float>.Zero), z, z * Slope);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply(Vector512<float> z) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(z, Vector512<float>.Zero), z, z * Slope);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Chain(float g, float a) => a > 0f ? g : g * Slope;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Chain(Vector256<float> g, Vector256<float> a) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(a, Vector256<float>.Zero), g, g * Slope);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Chain(Vector512<float> g, Vector512<float> a) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(a, Vector512<float>.Zero), g, g * Slope);
}

/// <summary>tanh: f'(z) = 1 − tanh²(z) = 1 − a². (Applied by the caller, never fused: see <see cref="VectorMath.Tanh(System.Span{float})"/>.)</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct TanhActivation : IActivationDerivative
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Chain(float g, float a) => g * (1f - a * a);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Chain(Vector256<float> g, Vector256<float> a) => g * (Vector256<float>.One - a * a);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Chain(Vector512<float> g, Vector512<float> a) => g * (Vector512<float>.One - a * a);
}

/// <summary>The logistic sigmoid σ: f'(z) = σ(z)(1 − σ(z)) = a (1 − a). (Applied by the caller, never fused.)</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct SigmoidActivation : IActivationDerivative
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Chain(float g, float a) => g * a * (1f - a);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Chain(Vector256<float> g, Vector256<float> a) => g * a * (Vector256<float>.One - a);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Chain(Vector512<float> g, Vector512<float> a) => g * a * (Vector512<float>.One - a);
}

/// <summary>
/// A whole number as a type, so the JIT compiles a kernel once per size with that size as a constant (row strides
/// become immediates). Generated code declares one file-local struct per size it needs. Used by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IConstantSize
{
    /// <summary>The size.</summary>
    static abstract int Value { get; }
}
