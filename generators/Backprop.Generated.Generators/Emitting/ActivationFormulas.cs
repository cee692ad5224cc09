using System;
using Backprop.Generated.Generators.Model;
using Backprop.Generated.Generators.Shared;

namespace Backprop.Generated.Generators.Emitting;

/// <summary>
/// Each activation function in one place: its formula as the comments print it, the C# expression of its value, its
/// derivative written in terms of its output (what backpropagation multiplies into an incoming gradient) and the
/// comment that explains it, and the runtime types its kernels are specialized with. Every emission path (one sample,
/// mini-batch, layer by layer) takes these from here, so a formula cannot differ between paths. Softmax is not
/// elementwise: every path computes it with the runtime's <c>Softmax</c> kernel (<see cref="SoftmaxComment"/> states it).
/// </summary>
internal static class ActivationFormulas
{
    private const string MathF = "global::System.MathF.";
    private const string Cs = "global::Backprop.Generated.CompilerServices.";

    /// <summary>LeakyReLU's slope as a C# literal (the shared constant).</summary>
    public static readonly string Slope = Literal.Float(ActivationConstants.LeakyReLUSlope);

    /// <summary>The slope as the comments print it.</summary>
    private static readonly string SlopeText = Slope.Substring(0, Slope.Length - 1);

    /// <summary>The comment above a softmax (the runtime's <c>Softmax</c> computes it, the same bits on every path).</summary>
    public const string SoftmaxComment =
        "softmax (Softmax: stable, Cephes' expf on Vector128 within 1 ulp): a_j = e^(z_j − m) / Σ_i e^(z_i − m), m = max_i z_i";

    /// <summary>a = f(z) as the comments print it.</summary>
    public static string Formula(ActivationKind activation) => activation switch
    {
        ActivationKind.Linear => "z",
        ActivationKind.Sigmoid => "σ(z) = 1 / (1 + e^−z)",
        ActivationKind.Tanh => "tanh(z)",
        ActivationKind.ReLU => "max(0, z)",
        ActivationKind.LeakyReLU => $"z > 0 ? z : {SlopeText}·z",
        _ => "softmax(z)",
    };

    /// <summary>The C# expression of f(<paramref name="z"/>) for an elementwise activation.</summary>
    public static string Value(ActivationKind activation, string z) => activation switch
    {
        ActivationKind.Linear => z,
        ActivationKind.Sigmoid => $"1f / (1f + {MathF}Exp(-{z}))",
        ActivationKind.Tanh => $"{MathF}Tanh({z})",
        ActivationKind.ReLU => $"{MathF}Max({z}, 0f)",
        ActivationKind.LeakyReLU => $"{z} > 0f ? {z} : {Slope} * {z}",
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Softmax is not elementwise."),
    };

    /// <summary>
    /// The C# expression of <paramref name="g"/> · f'(z) from the activation's output <paramref name="a"/> = f(z):
    /// the chain rule through an elementwise activation.
    /// </summary>
    public static string Chain(ActivationKind activation, string a, string g) => activation switch
    {
        ActivationKind.Linear => g,
        ActivationKind.Sigmoid => $"{g} * {a} * (1f - {a})",
        ActivationKind.Tanh => $"{g} * (1f - {a} * {a})",
        ActivationKind.ReLU => $"{a} > 0f ? {g} : 0f",
        ActivationKind.LeakyReLU => $"{a} > 0f ? {g} : {Slope} * {g}",
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Softmax is not elementwise."),
    };

    /// <summary>The derivative explained, for the comment above the code that applies it.</summary>
    public static string Derivative(ActivationKind activation) => activation switch
    {
        ActivationKind.Linear => "linear: f'(z) = 1, so ∂L/∂z = ∂L/∂a",
        ActivationKind.Sigmoid => "sigmoid: σ'(z) = σ(z)(1 − σ(z)) = a (1 − a)",
        ActivationKind.Tanh => "tanh: tanh'(z) = 1 − tanh(z)² = 1 − a²",
        ActivationKind.ReLU => "ReLU: relu'(z) = 1 if z > 0 else 0 (0 at z = 0, as PyTorch); z > 0 exactly when a > 0",
        ActivationKind.LeakyReLU => $"LeakyReLU: f'(z) = 1 if z > 0 else {SlopeText} ({SlopeText} at z = 0, as PyTorch); z > 0 exactly when a > 0",
        _ => "softmax: ∂L/∂z_j = a_j (∂L/∂a_j − Σ_i a_i ∂L/∂a_i)",
    };

    /// <summary>Whether the runtime's kernels apply the activation as they store z (a compare or a multiply).</summary>
    public static bool IsFused(ActivationKind activation) =>
        activation is ActivationKind.ReLU or ActivationKind.LeakyReLU;

    /// <summary>The runtime's activation type a kernel is specialized with: the layer's own when fused, else linear.</summary>
    public static string FusedType(ActivationKind activation) => Cs + activation switch
    {
        ActivationKind.ReLU => "ReLUActivation",
        ActivationKind.LeakyReLU => "LeakyReLUActivation",
        _ => "LinearActivation",
    };

    /// <summary>The runtime's type for f' of <paramref name="activation"/> from its output, for the batch input-gradient kernel.</summary>
    public static string DerivativeType(ActivationKind activation) => Cs + activation switch
    {
        ActivationKind.ReLU => "ReLUActivation",
        ActivationKind.LeakyReLU => "LeakyReLUActivation",
        ActivationKind.Tanh => "TanhActivation",
        ActivationKind.Sigmoid => "SigmoidActivation",
        _ => "LinearActivation",
    };
}
