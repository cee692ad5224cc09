using Backprop.Generated;

namespace Backprop.Generated.Tests.Baked;

// Pairs of networks with the same layers: a trainable one, and one with the weights of a committed file baked in
// (tests/Backprop.Generated.Tests/Baked/*.safetensors, made by BakedRecipes from the trainable one; the project lists
// them as <BakedWeights> items). Each pair exercises another emission path.

/// <summary>Every layer unrolled.</summary>
[Network(Loss.CrossEntropy)]
[Input(4)]
[Dense(8, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class SmallTrainable { }

/// <summary><see cref="SmallTrainable"/> with baked weights.</summary>
[Network(Loss.CrossEntropy, Weights = "baked_small.safetensors")]
[Input(4)]
[Dense(8, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class SmallBaked { }

/// <summary>The Digits sample's shape: a looped first layer (2048 weights), an unrolled output layer.</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(32, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DigitsTrainable { }

/// <summary><see cref="DigitsTrainable"/> with baked weights (a folder in the name is ignored: only the file name counts).</summary>
[Network(Loss.CrossEntropy, Weights = "Baked/baked_digits.safetensors")]
[Input(64)]
[Dense(32, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DigitsBaked { }

/// <summary>The staged path: batch norm (running statistics baked too), an activation layer and dropout (identity).</summary>
[Network(Loss.BinaryCrossEntropy)]
[Input(5)]
[Dense(6, Activation.Linear)]
[BatchNorm]
[Activation(Activation.ReLU)]
[Dropout(0.25)]
[Dense(2, Activation.Sigmoid)]
public partial class StagedTrainable { }

/// <summary><see cref="StagedTrainable"/> with baked weights.</summary>
[Network(Loss.BinaryCrossEntropy, Weights = "baked_staged.safetensors")]
[Input(5)]
[Dense(6, Activation.Linear)]
[BatchNorm]
[Activation(Activation.ReLU)]
[Dropout(0.25)]
[Dense(2, Activation.Sigmoid)]
public partial class StagedBaked { }

/// <summary><see cref="DigitsBaked"/> in int8: Avx512BW/Avx2 tiles with a masked tail on layer 1 (32 inputs).</summary>
[Network(Loss.CrossEntropy, Weights = "baked_digits.safetensors", Precision = Precision.Int8)]
[Input(64)]
[Dense(32, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DigitsInt8 { }

/// <summary><see cref="SmallBaked"/> in int8: fan-ins under one vector (scalar sums), signed inputs (tanh).</summary>
[Network(Loss.CrossEntropy, Weights = "baked_small.safetensors", Precision = Precision.Int8)]
[Input(4)]
[Dense(8, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class SmallInt8 { }

/// <summary><see cref="StagedBaked"/> in int8: batch norm, activation and dropout layers stay float32.</summary>
[Network(Loss.BinaryCrossEntropy, Weights = "baked_staged.safetensors", Precision = Precision.Int8)]
[Input(5)]
[Dense(6, Activation.Linear)]
[BatchNorm]
[Activation(Activation.ReLU)]
[Dropout(0.25)]
[Dense(2, Activation.Sigmoid)]
public partial class StagedInt8 { }

/// <summary>
/// A chain of four Dense layers for the int8 one-sample hand-off (<see cref="ChainInt8"/>): each hidden layer's
/// activation is applied by the kernel and the next layer is Dense (past a Dropout), so each quantizes the next input.
/// </summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(32, Activation.ReLU)]
[Dropout(0.25)]
[Dense(32, Activation.Linear)]
[Dense(16, Activation.Linear)]
[Dense(10, Activation.Softmax)]
public partial class ChainTrainable { }

/// <summary>
/// <see cref="ChainTrainable"/>'s weights in int8: one sample goes DenseForwardToNext (64 → 32, rows of two 32-byte
/// vectors, the outputs quantized by the blocks), DenseQuantizedToNext (32 → 32, outputs of both signs quantized by the
/// blocks), DenseQuantizedToNext (32 → 16, an input of both signs: the sign-flip products; the outputs scanned), then
/// DenseQuantized (16 → 10, the tiles).
/// </summary>
[Network(Loss.CrossEntropy, Weights = "baked_chain.safetensors", Precision = Precision.Int8)]
[Input(64)]
[Dense(32, Activation.ReLU)]
[Dropout(0.25)]
[Dense(32, Activation.Linear)]
[Dense(16, Activation.Linear)]
[Dense(10, Activation.Softmax)]
public partial class ChainInt8 { }
