using Backprop.Generated;

namespace Backprop.Generated.Tests.Baked;

// Int8 convolutional networks: FashionCnn with PyTorch's initial weights (tests/reference/fashion_cnn.safetensors), and
// a SensorNet-like 1-D network whose file BakedRecipes makes (baked_sensor.safetensors), with its trainable and float32
// baked twins.

/// <summary>FashionCnn in int8: fan-in 25 (padded to 32) then 400, padding 2, max pooling, a Dense softmax layer.</summary>
[Network(Loss.CrossEntropy, Weights = "fashion_cnn.safetensors", Precision = Precision.Int8)]
[Input(1, 28, 28)]
[Conv2D(16, 5, Activation.ReLU, Padding = 2)]
[MaxPool2D(2)]
[Conv2D(32, 5, Activation.ReLU, Padding = 2)]
[MaxPool2D(2)]
[Dense(10, Activation.Softmax)]
public partial class FashionCnnInt8 { }

/// <summary>
/// 1-D: a strided padded convolution, average pooling, a dilated linear convolution with a per-channel batch norm and a
/// tanh layer, max pooling, global average pooling, softmax.
/// </summary>
[Network(Loss.CrossEntropy)]
[Input(3, 64)]
[Conv1D(8, 5, Activation.ReLU, Stride = 2, Padding = 2)]
[AvgPool1D(2)]
[Conv1D(12, 3, Dilation = 2)]
[BatchNorm]
[Activation(Activation.Tanh)]
[MaxPool1D(2)]
[GlobalAveragePool]
[Dense(4, Activation.Softmax)]
public partial class SensorTrainable { }

/// <summary><see cref="SensorTrainable"/> with baked weights, float32.</summary>
[Network(Loss.CrossEntropy, Weights = "baked_sensor.safetensors")]
[Input(3, 64)]
[Conv1D(8, 5, Activation.ReLU, Stride = 2, Padding = 2)]
[AvgPool1D(2)]
[Conv1D(12, 3, Dilation = 2)]
[BatchNorm]
[Activation(Activation.Tanh)]
[MaxPool1D(2)]
[GlobalAveragePool]
[Dense(4, Activation.Softmax)]
public partial class SensorBaked { }

/// <summary><see cref="SensorBaked"/> in int8.</summary>
[Network(Loss.CrossEntropy, Weights = "baked_sensor.safetensors", Precision = Precision.Int8)]
[Input(3, 64)]
[Conv1D(8, 5, Activation.ReLU, Stride = 2, Padding = 2)]
[AvgPool1D(2)]
[Conv1D(12, 3, Dilation = 2)]
[BatchNorm]
[Activation(Activation.Tanh)]
[MaxPool1D(2)]
[GlobalAveragePool]
[Dense(4, Activation.Softmax)]
public partial class SensorInt8 { }
