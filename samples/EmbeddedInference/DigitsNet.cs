using Backprop.Generated;

namespace EmbeddedInference;

/// <summary>
/// The Digits sample's network (8x8 images → 32 ReLU → 10 softmax) with the weights it trained baked in: the generator
/// reads digits.safetensors at build time and emits an inference-only class whose Forward reads the weights as
/// constants in the binary. Nothing is loaded at run time.
/// </summary>
[Network(Loss.CrossEntropy, Weights = "digits.safetensors")]
[Input(64)]
[Dense(32, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DigitsNet { }

/// <summary>The same network, trainable: for comparison, loading the same weights at run time with LoadWeights.</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(32, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DigitsNetLoaded { }

/// <summary>
/// The same network and weights file in int8: the generator quantizes the weights at build time (one scale per output
/// unit), and Forward quantizes each layer's input per sample and sums the products exactly in int32.
/// </summary>
[Network(Loss.CrossEntropy, Weights = "digits.safetensors", Precision = Precision.Int8)]
[Input(64)]
[Dense(32, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DigitsNetInt8 { }
