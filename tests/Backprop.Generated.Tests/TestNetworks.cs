using Backprop.Generated;

namespace Backprop.Generated.Tests;

// Networks used across the runtime tests. Each exercises a different emission path.

/// <summary>All layers unrolled.</summary>
[Network(Loss.MeanSquaredError)]
[Input(2)]
[Dense(4, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
internal partial class TinyNet { }

/// <summary>A looped first layer (2048 weights) feeding an unrolled output layer.</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(32, Activation.ReLU)]
[Dense(10, Activation.Softmax, Init = Init.XavierUniform)]
internal partial class DigitsShapedNet { }

/// <summary>The deep reference network: every layer looped, 16 KB+ of forward scratch.</summary>
[Network(Loss.CrossEntropy)]
[Input(784)]
[Dense(256, Activation.ReLU)]
[Dense(256, Activation.ReLU)]
[Dense(256, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
internal partial class DeepNet { }

/// <summary>Unrolled, looped, unrolled: values cross between locals and spans both ways.</summary>
[Network(Loss.BinaryCrossEntropy)]
[Input(6)]
[Dense(40, Activation.LeakyReLU)]
[Dense(30, Activation.Tanh)]
[Dense(3, Activation.Sigmoid)]
internal partial class MixedNet { }

/// <summary>A user-declared constructor: the generator must not add its own.</summary>
[Network(Loss.Hinge)]
[Input(3)]
[Dense(2, Activation.Linear)]
internal partial class CustomConstructorNet
{
    public CustomConstructorNet(string name)
    {
        Name = name;
        InitializeParameters(7);
    }

    public string Name { get; }
}

internal static partial class Outer
{
    /// <summary>A nested network inside a static partial class.</summary>
    [Network(Loss.MeanSquaredError)]
    [Input(2)]
    [Dense(2, Activation.Linear)]
    internal partial class NestedNet { }
}

/// <summary>Batch norm before the nonlinearity, as in the paper, plus dropout: the staged (batch-major) path.</summary>
[Network(Loss.CrossEntropy)]
[Input(5)]
[Dense(8, Activation.Linear)]
[BatchNorm]
[Activation(Activation.ReLU)]
[Dropout(0.25)]
[Dense(6, Activation.Tanh)]
[BatchNorm]
[Dense(3, Activation.Softmax)]
internal partial class StagedNet { }

/// <summary>An Activation layer as the output, after a batch-normalized linear layer.</summary>
[Network(Loss.BinaryCrossEntropy)]
[Input(4)]
[Dense(3)]
#pragma warning disable BPG0006 // batch norm on the output layer, on purpose: it tests that layer order's semantics
[BatchNorm]
#pragma warning restore BPG0006
[Activation(Activation.Sigmoid)]
internal partial class ActivationOutputNet { }

/// <summary>StagedNet's shape with a smooth activation after the batch norm, for tight finite-difference checks.</summary>
[Network(Loss.CrossEntropy)]
[Input(5)]
[Dense(8, Activation.Linear)]
[BatchNorm]
[Activation(Activation.Tanh)]
[Dropout(0.25)]
[Dense(6, Activation.Tanh)]
[BatchNorm]
[Dense(3, Activation.Softmax)]
internal partial class StagedSmoothNet { }
