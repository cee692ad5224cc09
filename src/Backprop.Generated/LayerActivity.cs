using System;

namespace Backprop.Generated;

/// <summary>
/// A trainable generated network that can report what each of its layers does on some samples: implemented by every
/// generated network that is not baked (inference-only networks do not have it).
/// </summary>
public interface IInspectableNetwork : INetwork
{
    /// <summary>
    /// The number of declared layers (every layer attribute counts: <c>[Dense]</c>, <c>[BatchNorm]</c>,
    /// <c>[Dropout]</c>, <c>[Activation]</c>, ...), the length <see cref="Inspect"/> wants. The generated class has it
    /// as the constant <c>LayerCount</c>.
    /// </summary>
    int LayerCount { get; }

    /// <summary>
    /// Runs <c>k &gt;= 1</c> samples (<c>inputs.Length == k * InputSize</c>) in inference mode, as
    /// <see cref="IInferenceNetwork.Forward"/> does (dropout off, batch norm on its running statistics), and fills one
    /// <see cref="LayerActivity"/> per declared layer, in declaration order, with the statistics of that layer's
    /// outputs over the k samples. <c>layers.Length</c> must be <see cref="LayerCount"/>. Allocates nothing after a
    /// thread's first call (its per-sample buffers are the thread's own, as the batch <c>Forward</c>'s), so it may
    /// run on several threads at once while nobody writes the parameters.
    /// </summary>
    /// <exception cref="ArgumentException"><c>inputs</c> is not a whole, positive number of samples, or
    /// <c>layers.Length</c> is not <see cref="LayerCount"/>.</exception>
    void Inspect(ReadOnlySpan<float> inputs, Span<LayerActivity> layers);
}

/// <summary>
/// The statistics of one layer's outputs over the k samples given to <see cref="IInspectableNetwork.Inspect"/>: how
/// large they are, how spread out, and how many of them sit where the activation's gradient vanishes.
/// </summary>
/// <param name="Position">The layer's declaration index, 0 to <c>LayerCount</c> − 1 (every layer attribute counts; not
/// <see cref="TensorInfo.Layer"/>, which counts layers with weights).</param>
/// <param name="Kind">The attribute's name without "Attribute": <c>"Dense"</c>, <c>"BatchNorm"</c>, <c>"Dropout"</c>,
/// <c>"Activation"</c>, ...</param>
/// <param name="Activation">The layer's own activation; <see cref="Activation.Linear"/> for layers without one.</param>
/// <param name="Units">Floats of the layer's output per sample.</param>
/// <param name="Mean">The mean of the k × <paramref name="Units"/> outputs.</param>
/// <param name="StandardDeviation">Their population standard deviation.</param>
/// <param name="SaturatedFraction">The fraction of the k × <paramref name="Units"/> outputs in the flat tails of the
/// activation, where its derivative is nearly 0: Sigmoid outputs ≤ 0.01 or ≥ 0.99, Tanh outputs with |a| ≥ 0.99; 0 for
/// other activations.</param>
/// <param name="DeadFraction">ReLU and LeakyReLU: the fraction of the <paramref name="Units"/> units whose
/// pre-activation is ≤ 0 for every one of the k samples (a unit of a convolution is one output element, channel and
/// position); 0 for other activations.</param>
public readonly record struct LayerActivity(
    int Position,
    string Kind,
    Activation Activation,
    int Units,
    double Mean,
    double StandardDeviation,
    double SaturatedFraction,
    double DeadFraction)
{
    /// <summary>Sigmoid outputs at or below this count as saturated (and at or above 1 minus it).</summary>
    public const double SigmoidSaturation = 0.01;

    /// <summary>Tanh outputs with an absolute value at or above this count as saturated.</summary>
    public const double TanhSaturation = 0.99;
}
