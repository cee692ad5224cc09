using System;

namespace Backprop.Generated;

/// <summary>
/// Marks a <c>partial</c> class as a feedforward network. The source generator emits its <c>Forward</c>,
/// <c>Backward</c>, parameter storage and the <see cref="INetwork"/> implementation.
/// </summary>
/// <example>
/// <code>
/// [Network(Loss.CrossEntropy)]
/// [Input(64)]
/// [Dense(32, Activation.ReLU)]
/// [Dense(10, Activation.Softmax)]
/// public partial class DigitsNet { }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>Declares a network trained with <paramref name="loss"/>.</summary>
    public NetworkAttribute(Loss loss) => Loss = loss;

    /// <summary>The loss <c>Backward</c> computes and differentiates.</summary>
    public Loss Loss { get; }

    /// <summary>
    /// Bakes trained weights into the program: the file name of a safetensors file (as written by
    /// <c>SaveWeights</c>) that the project lists as <c>&lt;BakedWeights Include="digits.safetensors" /&gt;</c>.
    /// The generator then emits an inference-only network whose <c>Forward</c> reads the weights as constants stored
    /// in the assembly: no <c>Parameters</c>, <c>Backward</c> or file at run time. Only the file name is matched
    /// (a folder part is ignored). Problems with the file are compile errors BPG0200 to BPG0206.
    /// </summary>
    public string? Weights { get; set; }

    /// <summary>
    /// How the tensors of the <see cref="Weights"/> file are named: the network's own names by default;
    /// <see cref="Generated.WeightNames.ModuleOrder"/> for a PyTorch <c>state_dict</c> of an <c>nn.Sequential</c>
    /// (<c>0.weight</c>, <c>0.bias</c>, <c>2.weight</c>, ...), paired with the layers exactly as
    /// <c>LoadWeights(path, WeightNames.ModuleOrder)</c> pairs them.
    /// </summary>
    public WeightNames WeightNames { get; set; }
}

/// <summary>The number of input features of the network.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    /// <summary>Declares <paramref name="size"/> input features.</summary>
    public InputAttribute(int size) => Size = size;

    /// <summary>The number of input features.</summary>
    public int Size { get; }
}

/// <summary>
/// A fully connected layer <c>a = f(W x + b)</c>. Layers are taken in source order.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : Attribute
{
    /// <summary>Declares a layer of <paramref name="units"/> outputs followed by <paramref name="activation"/>.</summary>
    public DenseAttribute(int units, Activation activation = Activation.Linear)
    {
        Units = units;
        Activation = activation;
    }

    /// <summary>The number of outputs of the layer.</summary>
    public int Units { get; }

    /// <summary>The nonlinearity applied to the layer's output.</summary>
    public Activation Activation { get; }

    /// <summary>How the weights are initialized; <see cref="Init.Auto"/> unless given.</summary>
    public Init Init { get; set; }
}

/// <summary>
/// Inverted dropout on the previous layer's output: in training (<c>Backward</c>) each value is zeroed with
/// probability <see cref="Rate"/> and the survivors are scaled by <c>1 / (1 - rate)</c>; in <c>Forward</c> it is the
/// identity. The mask is a deterministic function of the seed, the network's <c>DropoutStep</c>, the layer and the element.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : Attribute
{
    /// <summary>Declares dropout with the probability <paramref name="rate"/> in [0, 1) of zeroing a value.</summary>
    public DropoutAttribute(double rate) => Rate = rate;

    /// <summary>The probability of zeroing a value, in [0, 1).</summary>
    public double Rate { get; }
}

/// <summary>
/// Batch normalization of the previous layer's output (Ioffe and Szegedy 2015), with PyTorch's semantics:
/// batch statistics over the k samples of a <c>Backward</c> call in training (k ≥ 2), running mean and unbiased running
/// variance (momentum 0.1, epsilon 1e-5) in <c>Forward</c>. Its scale (gamma, starts at 1) and shift (beta, starts at 0)
/// are trained parameters placed right after the preceding Dense layer's biases; the running statistics are
/// <see cref="INetwork.State"/>, saved with the weights.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormAttribute : Attribute
{
}

/// <summary>
/// An activation as a layer of its own (no parameters), e.g. after a batch norm:
/// <c>[Dense(32, Activation.Linear)] [BatchNorm] [Activation(Activation.ReLU)]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class ActivationAttribute : Attribute
{
    /// <summary>Declares a layer applying <paramref name="activation"/> elementwise (softmax: over the whole vector).</summary>
    public ActivationAttribute(Activation activation) => Activation = activation;

    /// <summary>The nonlinearity.</summary>
    public Activation Activation { get; }
}
