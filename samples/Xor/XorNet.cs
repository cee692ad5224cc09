using Backprop.Generated;

namespace Xor;

/// <summary>The classic XOR network: 2 inputs, 4 tanh hidden units, 1 sigmoid output, trained with squared error.</summary>
[Network(Loss.MeanSquaredError)]
[Input(2)]
[Dense(4, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class XorNet
{
}
