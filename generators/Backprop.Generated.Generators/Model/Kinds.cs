namespace Backprop.Generated.Generators.Model;

// Mirrors of the runtime enums (src/Backprop.Generated/Enums.cs). The generator cannot reference the runtime, so the
// numeric values are the contract; a test asserts both sides agree.

internal enum ActivationKind
{
    Linear = 0,
    Sigmoid = 1,
    Tanh = 2,
    ReLU = 3,
    LeakyReLU = 4,
    Softmax = 5,
}

internal enum LossKind
{
    MeanSquaredError = 0,
    CrossEntropy = 1,
    BinaryCrossEntropy = 2,
    Hinge = 3,
}

internal enum InitKind
{
    Auto = 0,
    XavierUniform = 1,
    XavierNormal = 2,
    HeUniform = 3,
    HeNormal = 4,
    LeCunNormal = 5,
    Zeros = 6,
}
