namespace Backprop.Generated.Tests;

// Issue 14's two networks, exactly as declared there, and FashionCnn with weights written by PyTorch baked in
// (tests/reference/make_conv_gradcheck_refs.py writes fashion_cnn.safetensors; the project lists it as <BakedWeights>).

[Network(Loss.CrossEntropy)]
[Input(1, 28, 28)]
[Conv2D(16, 5, Activation.ReLU, Padding = 2)]
[MaxPool2D(2)]
[Conv2D(32, 5, Activation.ReLU, Padding = 2)]
[MaxPool2D(2)]
[Dense(10, Activation.Softmax)]
public partial class FashionCnn { }

[Network(Loss.CrossEntropy)]
[Input(3, 128)]
[Conv1D(8, 5, Activation.ReLU, Stride = 2, Padding = 2)]
[AvgPool1D(2)]
[Conv1D(16, 3, Activation.Tanh)]
[GlobalAveragePool]
[Dense(4, Activation.Softmax)]
public partial class SensorNet { }

[Network(Loss.CrossEntropy, Weights = "fashion_cnn.safetensors")]
[Input(1, 28, 28)]
[Conv2D(16, 5, Activation.ReLU, Padding = 2)]
[MaxPool2D(2)]
[Conv2D(32, 5, Activation.ReLU, Padding = 2)]
[MaxPool2D(2)]
[Dense(10, Activation.Softmax)]
public partial class FashionCnnBaked { }

// A convolutional network with batch norm, dropout and an [Activation] layer: the whole-batch Backward (no blocks).
[Network(Loss.MeanSquaredError)]
[Input(2, 8, 8)]
[Conv2D(4, 3, Padding = 1)]
[BatchNorm]
[Activation(Activation.ReLU)]
[MaxPool2D(2)]
[Dropout(0.25)]
[Dense(3)]
public partial class ConvWithBatchNorm { }
