// Compiled into the runtime and, linked, into the generator (netstandard2.0), so both read one definition: the
// generator's parser, analyzers and emitter use these very enums. The generator compiles it in its own namespace
// (BACKPROP_GENERATOR), so test projects that reference both assemblies see no clash.
#if BACKPROP_GENERATOR
namespace Backprop.Generated.Generators.Shared;
#else
namespace Backprop.Generated;
#endif

/// <summary>The nonlinearity applied to a layer's pre-activation <c>z</c>.</summary>
/// <remarks>The numeric values are part of the generator's contract: do not renumber.</remarks>
public enum Activation
{
    /// <summary><c>a = z</c>; derivative 1.</summary>
    Linear = 0,

    /// <summary><c>a = 1 / (1 + e^-z)</c>; derivative <c>a (1 - a)</c>.</summary>
    Sigmoid = 1,

    /// <summary><c>a = tanh(z)</c>; derivative <c>1 - a^2</c>.</summary>
    Tanh = 2,

    /// <summary><c>a = max(0, z)</c>; derivative 1 for <c>z &gt; 0</c>, else 0 (PyTorch's convention at 0).</summary>
    ReLU = 3,

    /// <summary><c>a = z</c> for <c>z &gt; 0</c>, else <c>0.01 z</c>; derivative 1 or 0.01 (0.01 at 0, as PyTorch).</summary>
    LeakyReLU = 4,

    /// <summary><c>a_j = e^(z_j) / sum_k e^(z_k)</c>, computed stably. Only allowed on the last layer.</summary>
    Softmax = 5,
}

/// <summary>The training objective, averaged over a batch as PyTorch's default <c>reduction='mean'</c> does.</summary>
/// <remarks>The numeric values are part of the generator's contract: do not renumber.</remarks>
public enum Loss
{
    /// <summary>Mean over all <c>k * OutputSize</c> elements of <c>(y - t)^2</c> (no factor 1/2), as <c>torch.nn.MSELoss</c>.</summary>
    MeanSquaredError = 0,

    /// <summary>
    /// Mean over samples of <c>-sum_j t_j log softmax(z)_j</c>, computed from the logits with log-sum-exp; pairs with a
    /// <see cref="Activation.Softmax"/> output. Targets are probability vectors (usually one-hot).
    /// </summary>
    CrossEntropy = 1,

    /// <summary>
    /// Mean over all elements of <c>-(t log y + (1 - t) log(1 - y))</c>, computed stably from the logit; pairs with
    /// <see cref="Activation.Sigmoid"/> outputs. Targets lie in [0, 1].
    /// </summary>
    BinaryCrossEntropy = 2,

    /// <summary>Mean over all elements of <c>max(0, 1 - t y)</c>; targets are -1 or +1 per output.</summary>
    Hinge = 3,
}

/// <summary>How a Dense layer's weights are initialized. Biases always start at 0.</summary>
/// <remarks>The numeric values are part of the generator's contract: do not renumber.</remarks>
public enum Init
{
    /// <summary>
    /// He (Kaiming) uniform for ReLU and LeakyReLU layers, Xavier (Glorot) uniform otherwise (see
    /// <see cref="InitRule.Resolve"/>).
    /// </summary>
    Auto = 0,

    /// <summary>Uniform in <c>±sqrt(6 / (fanIn + fanOut))</c> (Glorot and Bengio 2010).</summary>
    XavierUniform = 1,

    /// <summary>Normal with standard deviation <c>sqrt(2 / (fanIn + fanOut))</c> (Glorot and Bengio 2010).</summary>
    XavierNormal = 2,

    /// <summary>Uniform in <c>±gain sqrt(3 / fanIn)</c>, <c>gain = sqrt(2 / (1 + slope^2))</c> (He et al. 2015).</summary>
    HeUniform = 3,

    /// <summary>Normal with standard deviation <c>gain / sqrt(fanIn)</c>, <c>gain = sqrt(2 / (1 + slope^2))</c> (He et al. 2015).</summary>
    HeNormal = 4,

    /// <summary>Normal with standard deviation <c>sqrt(1 / fanIn)</c> (LeCun et al. 1998).</summary>
    LeCunNormal = 5,

    /// <summary>All weights 0. Every unit then receives the same gradient and the layer never breaks symmetry.</summary>
    Zeros = 6,

    /// <summary>
    /// Uniform in <c>±1 / sqrt(fanIn)</c>: the "standard initialization" of Glorot and Bengio (2010, eq. 1) and the
    /// default weights of PyTorch's <c>nn.Linear</c> (whose biases, unlike these, are random too). Its variance,
    /// <c>1 / (3 fanIn)</c>, shrinks the signal at every layer: kept for reproducing the classic experiments.
    /// </summary>
    StandardUniform = 7,
}

/// <summary>
/// Which tensor of a weights file each tensor of a network reads: used by <c>LoadWeights</c> and by
/// <c>[Network(Weights = "...", WeightNames = ...)]</c> for baked weights.
/// </summary>
/// <remarks>The numeric values are part of the generator's contract: do not renumber.</remarks>
public enum WeightNames
{
    /// <summary>
    /// The network's own names, as <c>SaveWeights</c> writes them: <c>layers.{i}.weight</c>, <c>layers.{i}.bias</c>
    /// and <c>layers.{i}.bn.*</c>, where <c>i</c> counts Dense layers from 0.
    /// </summary>
    Network = 0,

    /// <summary>
    /// PyTorch module order, for a <c>state_dict</c> of an <c>nn.Sequential</c> (<c>0.weight</c>, <c>0.bias</c>,
    /// <c>2.weight</c>, ...) or of a module whose submodules are named in the order they run (<c>fc1</c>, <c>fc2</c>;
    /// <c>encoder.0</c>, <c>encoder.2</c>). The file's modules (each tensor name up to its last dot), in natural order
    /// (dot-separated parts, numbers compared as numbers), are paired one to one with the network's: each Dense layer,
    /// then its BatchNorm if it has one. Within a module the last part names the tensor: <c>weight</c>, <c>bias</c>,
    /// <c>running_mean</c>, <c>running_var</c>. Modules without tensors (activations, dropout) do not count.
    /// </summary>
    ModuleOrder = 1,
}

/// <summary>
/// The arithmetic of a baked network's <c>Forward</c> (<c>[Network(..., Weights = "...", Precision = ...)]</c>).
/// </summary>
/// <remarks>The numeric values are part of the generator's contract: do not renumber.</remarks>
public enum Precision
{
    /// <summary>float32 weights and arithmetic: bit-identical to the trainable network after <c>LoadWeights</c>.</summary>
    Float32 = 0,

    /// <summary>
    /// int8 weights, quantized at build time per output unit (symmetric, scale = max|w| / 127, round to nearest even);
    /// each layer's input quantized per sample at run time the same way; products summed exactly in int32 and scaled
    /// back to float32 before the bias and activation. Biases and batch-norm values stay float32. A quarter of the
    /// weight bytes, and the same bits on every SIMD path. Only with baked weights (<c>Weights = "..."</c>).
    /// </summary>
    Int8 = 1,
}
