using Backprop.Generated;

// The networks of the four experiments (see Experiments.cs and docs/deep-networks.md). Some are bad on purpose: the
// analyzers warn about them (BPG0002: Xavier weights on ReLU layers; BPG0005: a deep stack of saturating layers), and
// each such declaration suppresses the warning it earns, so the sample still builds with warnings as errors.

namespace DeepNetworks;

#pragma warning disable BPG0005
/// <summary>Experiment 1 (Glorot and Bengio 2010): 5 hidden Sigmoid layers of 64 units, every layer Init.StandardUniform.</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(64, Activation.Sigmoid, Init = Init.StandardUniform)]
[Dense(64, Activation.Sigmoid, Init = Init.StandardUniform)]
[Dense(64, Activation.Sigmoid, Init = Init.StandardUniform)]
[Dense(64, Activation.Sigmoid, Init = Init.StandardUniform)]
[Dense(64, Activation.Sigmoid, Init = Init.StandardUniform)]
[Dense(10, Activation.Softmax, Init = Init.StandardUniform)]
public partial class SigmoidStandardNet { }
#pragma warning restore BPG0005

#pragma warning disable BPG0005
/// <summary>Experiment 1 (Glorot and Bengio 2010): 5 hidden Sigmoid layers of 64 units, every layer Init.XavierUniform.</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(64, Activation.Sigmoid, Init = Init.XavierUniform)]
[Dense(64, Activation.Sigmoid, Init = Init.XavierUniform)]
[Dense(64, Activation.Sigmoid, Init = Init.XavierUniform)]
[Dense(64, Activation.Sigmoid, Init = Init.XavierUniform)]
[Dense(64, Activation.Sigmoid, Init = Init.XavierUniform)]
[Dense(10, Activation.Softmax, Init = Init.XavierUniform)]
public partial class SigmoidXavierNet { }
#pragma warning restore BPG0005

#pragma warning disable BPG0005
/// <summary>Experiment 1 (Glorot and Bengio 2010): 5 hidden Tanh layers of 64 units, every layer Init.StandardUniform.</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(64, Activation.Tanh, Init = Init.StandardUniform)]
[Dense(64, Activation.Tanh, Init = Init.StandardUniform)]
[Dense(64, Activation.Tanh, Init = Init.StandardUniform)]
[Dense(64, Activation.Tanh, Init = Init.StandardUniform)]
[Dense(64, Activation.Tanh, Init = Init.StandardUniform)]
[Dense(10, Activation.Softmax, Init = Init.StandardUniform)]
public partial class TanhStandardNet { }
#pragma warning restore BPG0005

#pragma warning disable BPG0005
/// <summary>Experiment 1 (Glorot and Bengio 2010): 5 hidden Tanh layers of 64 units, every layer Init.XavierUniform.</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(64, Activation.Tanh, Init = Init.XavierUniform)]
[Dense(64, Activation.Tanh, Init = Init.XavierUniform)]
[Dense(64, Activation.Tanh, Init = Init.XavierUniform)]
[Dense(64, Activation.Tanh, Init = Init.XavierUniform)]
[Dense(64, Activation.Tanh, Init = Init.XavierUniform)]
[Dense(10, Activation.Softmax, Init = Init.XavierUniform)]
public partial class TanhXavierNet { }
#pragma warning restore BPG0005

#pragma warning disable BPG0001, BPG0005
/// <summary>Experiment 1, for BPG0001: 5 hidden Tanh layers of 64 units with He weights, meant for ReLU.</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(64, Activation.Tanh, Init = Init.HeUniform)]
[Dense(64, Activation.Tanh, Init = Init.HeUniform)]
[Dense(64, Activation.Tanh, Init = Init.HeUniform)]
[Dense(64, Activation.Tanh, Init = Init.HeUniform)]
[Dense(64, Activation.Tanh, Init = Init.HeUniform)]
[Dense(10, Activation.Softmax, Init = Init.XavierUniform)]
public partial class TanhHeNet { }
#pragma warning restore BPG0001, BPG0005

/// <summary>Experiment 3: experiment 1's sigmoid stack with standard initialization, each hidden layer normalized before its sigmoid (Ioffe and Szegedy 2015).</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(64, Activation.Linear, Init = Init.StandardUniform)][BatchNorm][Activation(Activation.Sigmoid)]
[Dense(64, Activation.Linear, Init = Init.StandardUniform)][BatchNorm][Activation(Activation.Sigmoid)]
[Dense(64, Activation.Linear, Init = Init.StandardUniform)][BatchNorm][Activation(Activation.Sigmoid)]
[Dense(64, Activation.Linear, Init = Init.StandardUniform)][BatchNorm][Activation(Activation.Sigmoid)]
[Dense(64, Activation.Linear, Init = Init.StandardUniform)][BatchNorm][Activation(Activation.Sigmoid)]
[Dense(10, Activation.Softmax, Init = Init.StandardUniform)]
public partial class SigmoidBatchNormNet { }

#pragma warning disable BPG0002
/// <summary>Experiment 2 (He et al. 2015): a plain stack of 20 ReLU layers of 64 units, Init.XavierNormal.</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(64, Activation.ReLU, Init = Init.XavierNormal)]
[Dense(10, Activation.Softmax, Init = Init.XavierUniform)]
public partial class ReluXavierNet { }
#pragma warning restore BPG0002

/// <summary>Experiment 2 (He et al. 2015): a plain stack of 20 ReLU layers of 64 units, Init.HeNormal.</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(64, Activation.ReLU, Init = Init.HeNormal)]
[Dense(10, Activation.Softmax, Init = Init.XavierUniform)]
public partial class ReluHeNet { }

#pragma warning disable BPG0002
/// <summary>Experiment 2 (He et al. 2015): a plain stack of 20 ReLU layers of 64 units, Init.StandardUniform.</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(64, Activation.ReLU, Init = Init.StandardUniform)]
[Dense(10, Activation.Softmax, Init = Init.XavierUniform)]
public partial class ReluStandardNet { }
#pragma warning restore BPG0002

#pragma warning disable BPG0005
/// <summary>Experiment 4: 10 Tanh layers of 64 units (Xavier), whose weights the experiment scales up after initialization.</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(64, Activation.Tanh, Init = Init.XavierUniform)]
[Dense(64, Activation.Tanh, Init = Init.XavierUniform)]
[Dense(64, Activation.Tanh, Init = Init.XavierUniform)]
[Dense(64, Activation.Tanh, Init = Init.XavierUniform)]
[Dense(64, Activation.Tanh, Init = Init.XavierUniform)]
[Dense(64, Activation.Tanh, Init = Init.XavierUniform)]
[Dense(64, Activation.Tanh, Init = Init.XavierUniform)]
[Dense(64, Activation.Tanh, Init = Init.XavierUniform)]
[Dense(64, Activation.Tanh, Init = Init.XavierUniform)]
[Dense(64, Activation.Tanh, Init = Init.XavierUniform)]
[Dense(10, Activation.Softmax, Init = Init.XavierUniform)]
public partial class DeepTanhNet { }
#pragma warning restore BPG0005

/// <summary>Experiment 4: 10 Linear layers of 64 units (Xavier), whose weights the experiment scales up after initialization.</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(64, Activation.Linear, Init = Init.XavierUniform)]
[Dense(64, Activation.Linear, Init = Init.XavierUniform)]
[Dense(64, Activation.Linear, Init = Init.XavierUniform)]
[Dense(64, Activation.Linear, Init = Init.XavierUniform)]
[Dense(64, Activation.Linear, Init = Init.XavierUniform)]
[Dense(64, Activation.Linear, Init = Init.XavierUniform)]
[Dense(64, Activation.Linear, Init = Init.XavierUniform)]
[Dense(64, Activation.Linear, Init = Init.XavierUniform)]
[Dense(64, Activation.Linear, Init = Init.XavierUniform)]
[Dense(64, Activation.Linear, Init = Init.XavierUniform)]
[Dense(10, Activation.Softmax, Init = Init.XavierUniform)]
public partial class DeepLinearNet { }
