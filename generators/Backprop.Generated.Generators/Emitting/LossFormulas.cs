using System;
using System.Collections.Generic;
using Backprop.Generated.Generators.Model;

namespace Backprop.Generated.Generators.Emitting;

/// <summary>
/// Each loss computed on the network's outputs in one place: the comment that states it, the statements that add one
/// element's term to <c>loss</c> and write ∂ℓ/∂y of that element, and whether the loss is a mean over every element
/// (so the summed terms are divided by OutputSize). The one-sample, batch and layer-by-layer emitters all take them
/// from here. The pairings whose gradient is taken at the logits (cross-entropy on softmax or on logits, binary
/// cross-entropy on sigmoid or on logits) are computed by the runtime's <c>LossKernels</c> on every path; their
/// comments are <see cref="AtLogitsComment"/>.
/// </summary>
internal static class LossFormulas
{
    private const string MathF = "global::System.MathF.";

    /// <summary>
    /// The comment above a loss taken at the logits: cross-entropy (softmax output or <paramref name="logits"/>) or
    /// binary cross-entropy (sigmoid output or <paramref name="logits"/>), as the runtime's <c>LossKernels</c> compute it.
    /// </summary>
    public static string AtLogitsComment(LossKind loss, bool logits) => loss == LossKind.CrossEntropy
        ? (logits
            ? "// Cross-entropy on the logits z of a Linear output (torch.nn.CrossEntropyLoss; LossKernels): p = softmax(z) taken for the gradient only,\n"
            : "// Cross-entropy from the logits z of the softmax output p (LossKernels):\n") +
          "// ℓ = −Σ_j t_j (z_j − lse), lse = log Σ_i e^z_i;  ∂ℓ/∂z_j = p_j · Σt − t_j (= p − t for one-hot or probability targets), times gradScale"
        : (logits
            ? "// Binary cross-entropy on the logit z of a Linear output (torch.nn.BCEWithLogitsLoss; LossKernels), stable for any z:\n"
            : "// Binary cross-entropy from the logit z of the sigmoid output (LossKernels), stable for any z:\n") +
          "// ℓ = max(z, 0) − z·t + log(1 + e^−|z|), mean over the elements;  ∂ℓ/∂z = σ(z) − t, times gradScale";

    /// <summary>The comment above the loss of <paramref name="loss"/> on an <paramref name="output"/> output.</summary>
    public static string Comment(LossKind loss, ActivationKind output) => loss switch
    {
        LossKind.MeanSquaredError => "// Squared error: ℓ = (y − t)², ∂ℓ/∂y = 2 (y − t)",
        LossKind.Hinge => "// Hinge: ℓ = max(0, m) with margin m = 1 − t·y; ∂ℓ/∂y = −t where m > 0, else 0",
        LossKind.CrossEntropy => $"// Cross-entropy on a {output} output (not a softmax): ℓ = −Σ t·max(log y, −100), ∂ℓ/∂y = −t / y where log y > −100",
        _ => $"// Binary cross-entropy on a {output} output (not a sigmoid), logs clamped at −100 as torch.nn.BCELoss:\n" +
             "// ℓ = −(t log y + (1 − t) log(1 − y)), ∂ℓ/∂y = (y − t) / max(y (1 − y), 1e−12)",
    };

    /// <summary>Whether the loss is the mean over all k × OutputSize elements (else over the k samples).</summary>
    public static bool MeanOverElements(LossKind loss) => loss != LossKind.CrossEntropy;

    /// <summary>
    /// The statements for one element: <paramref name="y"/> the output, <paramref name="t"/> the target,
    /// <paramref name="suffix"/> makes the temporaries' names unique, <paramref name="gradient"/> turns the expression
    /// of ∂ℓ/∂y (already times gradScale) into the statement that stores it.
    /// </summary>
    public static IEnumerable<string> Element(LossKind loss, string y, string t, string suffix, Func<string, string> gradient) => loss switch
    {
        LossKind.MeanSquaredError => new[]
        {
            $"float r{suffix} = {y} - {t};",
            $"loss += r{suffix} * r{suffix};",
            gradient($"2f * r{suffix} * gradScale"),
        },
        LossKind.Hinge => new[]
        {
            $"float m{suffix} = 1f - {t} * {y};",
            $"loss += {MathF}Max(m{suffix}, 0f);",
            gradient($"m{suffix} > 0f ? -{t} * gradScale : 0f"),
        },
        LossKind.CrossEntropy => new[]
        {
            $"float log{suffix} = {MathF}Log({y});",
            $"loss -= {t} * {MathF}Max(log{suffix}, -100f);",
            gradient($"log{suffix} > -100f ? -{t} / {y} * gradScale : 0f"),
        },
        _ => new[]
        {
            $"loss -= {t} * {MathF}Max({MathF}Log({y}), -100f) + (1f - {t}) * {MathF}Max({MathF}Log(1f - {y}), -100f);",
            gradient($"({y} - {t}) / {MathF}Max({y} * (1f - {y}), 1e-12f) * gradScale"),
        },
    };
}
