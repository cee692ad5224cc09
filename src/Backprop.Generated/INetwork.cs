using System;
using System.Collections.Generic;

namespace Backprop.Generated;

/// <summary>
/// A network that can run inference. Implemented by every generated network, including inference-only ones.
/// </summary>
public interface IInferenceNetwork
{
    /// <summary>Floats per input sample.</summary>
    int InputSize { get; }

    /// <summary>Floats per output sample.</summary>
    int OutputSize { get; }

    /// <summary>
    /// True when the outputs are logits: a network whose last layer is <see cref="Activation.Linear"/> under
    /// <see cref="Loss.CrossEntropy"/> (as <c>torch.nn.CrossEntropyLoss</c>) or <see cref="Loss.BinaryCrossEntropy"/>
    /// (as <c>torch.nn.BCEWithLogitsLoss</c>); the loss takes their softmax or sigmoid itself. <see cref="Evaluation"/>
    /// computes the loss from logits and splits a single logit at 0. False by default (generated networks whose outputs
    /// are logits say so).
    /// </summary>
    bool OutputsAreLogits => false;

    /// <summary>
    /// Runs the network in inference mode on <c>k &gt;= 1</c> samples stored one after another:
    /// <c>inputs.Length == k * InputSize</c> and <c>outputs.Length == k * OutputSize</c>.
    /// Allocates nothing. Concurrent calls on one instance are safe while nobody writes its parameters.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths are not whole, equal numbers of samples.</exception>
    void Forward(ReadOnlySpan<float> inputs, Span<float> outputs);
}

/// <summary>
/// A trainable generated network: flat parameter and gradient storage, a training-mode forward and backward pass,
/// and a description of its tensors so optimizers, penalties and weights files work without reflection.
/// </summary>
/// <remarks>
/// Parameter layout: for each Dense layer in order its weights <c>W</c> as <c>[out][in]</c> row-major
/// (<c>W[o][i]</c> at <c>o * in + i</c>), then its biases <c>b[out]</c>. <see cref="Tensors"/> lists every tensor.
/// <para>Thread safety: <see cref="IInferenceNetwork.Forward"/> may run on several threads at once;
/// <see cref="Backward"/>, <see cref="ZeroGradients"/>, <see cref="InitializeParameters"/> and <see cref="ISgdTrainStep.TrainStep"/> need exclusive access.</para>
/// </remarks>
public interface INetwork : IInferenceNetwork
{
    /// <summary>Number of trainable floats: the length of <see cref="Parameters"/> and <see cref="Gradients"/>.</summary>
    int ParameterCount { get; }

    /// <summary>The loss that <see cref="Backward"/> computes.</summary>
    Loss Loss { get; }

    /// <summary>All trainable parameters, in the documented layout.</summary>
    Span<float> Parameters { get; }

    /// <summary>The accumulated gradient of the loss with respect to <see cref="Parameters"/>, same layout.</summary>
    Span<float> Gradients { get; }

    /// <summary>Non-trainable state saved with the weights (for example batch-norm running statistics); empty when none.</summary>
    Span<float> State { get; }

    /// <summary>Every tensor in <see cref="Parameters"/> and <see cref="State"/>, in layout order.</summary>
    IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>
    /// Runs a training-mode forward pass over <c>k &gt;= 1</c> samples and backpropagates: returns the mean loss over
    /// the samples and ADDS the gradient of that mean loss to <see cref="Gradients"/> (as PyTorch's <c>.grad</c>).
    /// <c>inputs.Length == k * InputSize</c>, <c>targets.Length == k * OutputSize</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths are not whole, equal numbers of samples.</exception>
    float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets);

    /// <summary>Sets every gradient to 0.</summary>
    void ZeroGradients();

    /// <summary>
    /// The training-step counter that dropout masks depend on (with the seed): <see cref="Backward"/> uses the current
    /// value and then adds 1. Set it to hold a mask fixed (gradient checks) or to resume a run exactly. Networks without
    /// dropout count too but nothing depends on it.
    /// </summary>
    long TrainingStep { get; set; }

    /// <summary>
    /// Initializes the weights with each layer's initializer and the biases with 0. The same seed gives bit-identical
    /// parameters on every machine and runtime.
    /// </summary>
    void InitializeParameters(int seed);
}

/// <summary>
/// A generated network without [BatchNorm], [Dropout] or [Activation] layers, which also has the one-sample SGD step:
/// for Dense layers backward pass and parameter update fused in one sweep over the weights, with no gradient buffer in
/// between; for convolutional networks the backward pass into a buffer of the step's own, then the update.
/// </summary>
public interface ISgdTrainStep : INetwork
{
    /// <summary>
    /// One step of plain stochastic gradient descent on one sample: returns the sample's loss and updates
    /// <see cref="INetwork.Parameters"/> by <c>p -= learningRate · ∂L/∂p</c> without touching <see cref="INetwork.Gradients"/>.
    /// The parameters end bit for bit as after <c>ZeroGradients(); Backward(input, target);
    /// Sgd.Step(Parameters, Gradients, learningRate);</c>. Increments <see cref="INetwork.TrainingStep"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="input"/> is not <see cref="IInferenceNetwork.InputSize"/> floats,
    /// <paramref name="target"/> not <see cref="IInferenceNetwork.OutputSize"/> floats, or the learning rate is negative or not finite.</exception>
    float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> target, float learningRate);
}

/// <summary>
/// A generated network whose mini-batch <see cref="INetwork.Backward"/> goes through chunks of 32 samples (matrix
/// kernels for Dense layers, the convolution kernels for convolutional networks without [BatchNorm], [Dropout] or
/// [Activation] layers), and can deal those chunks to several threads.
/// </summary>
public interface IParallelBackward : INetwork
{
    /// <summary>
    /// Threads one mini-batch <see cref="INetwork.Backward"/> may use: 1 (the default) runs on the calling thread.
    /// With n &gt; 1 the chunks are dealt round-robin to n workers, each adds its gradients into its own buffer, and
    /// the buffers are added to <see cref="INetwork.Gradients"/> in worker order: the result depends on n (grouped
    /// sums, equal within float rounding) but never on timing. Batches under 64 samples stay on one thread, as does
    /// every batch on a CPU without Vector256 or Vector512 (which has no batch path).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not 1 to <see cref="CompilerServices.BatchWorkers.MaxWorkers"/>.</exception>
    int MaxDegreeOfParallelism { get; set; }
}
