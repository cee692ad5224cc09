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
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>Declares a network trained with <paramref name="loss"/>.</summary>
    public NetworkAttribute(Loss loss) => Loss = loss;

    /// <summary>The loss <c>Backward</c> computes and differentiates.</summary>
    public Loss Loss { get; }
}

/// <summary>The number of input features of the network.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
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
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
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
