using Backprop.Generated;

namespace Digits;

/// <summary>
/// 8x8 images of handwritten digits (64 pixel values) → 32 ReLU units → 10 softmax outputs, one per digit, trained
/// with cross-entropy. The generator writes <c>Forward</c> and <c>Backward</c>.
/// </summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(32, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DigitsNet
{
}
