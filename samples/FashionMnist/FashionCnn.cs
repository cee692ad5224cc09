using Backprop.Generated;

namespace FashionMnist;

/// <summary>
/// 28×28 grey images of clothing → two 5×5 convolutions with ReLU, each followed by 2×2 max pooling → 10 softmax
/// outputs, one per class, trained with cross-entropy (1×28×28 → 16×28×28 → 16×14×14 → 32×14×14 → 32×7×7 → 10).
/// The generator writes <c>Forward</c> and <c>Backward</c>. The same network in PyTorch: pytorch/train_reference.py.
/// </summary>
[Network(Loss.CrossEntropy)]
[Input(1, 28, 28)]
[Conv2D(16, 5, Activation.ReLU, Padding = 2)]
[MaxPool2D(2)]
[Conv2D(32, 5, Activation.ReLU, Padding = 2)]
[MaxPool2D(2)]
[Dense(10, Activation.Softmax)]
public partial class FashionCnn
{
}
