using System;

namespace Backprop.Generated;

/// <summary>
/// Marks a <c>partial</c> class as a feedforward network. The source generator emits its <c>Forward</c>,
/// <c>Backward</c>, parameter storage and the <see cref="INetwork"/> implementation.
/// </summary>
/// <example>
/// <code>
/// [Network(Loss.CrossEntropy)]
/// [Input(64)]
/// [Dense(32, Activation.ReLU)]
/// [Dense(10, Activation.Softmax)]
/// public partial class DigitsNet { }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>Declares a network trained with <paramref name="loss"/>.</summary>
    public NetworkAttribute(Loss loss) => Loss = loss;

    /// <summary>The loss <c>Backward</c> computes and differentiates.</summary>
    public Loss Loss { get; }

    /// <summary>
    /// Bakes trained weights into the program: the file name of a safetensors file (as written by
    /// <c>SaveWeights</c>) that the project lists as <c>&lt;BakedWeights Include="digits.safetensors" /&gt;</c>.
    /// The generator then emits an inference-only network whose <c>Forward</c> reads the weights as constants stored
    /// in the assembly: no <c>Parameters</c>, <c>Backward</c> or file at run time. Only the file name is matched
    /// (a folder part is ignored). Problems with the file are compile errors BPG0200 to BPG0206.
    /// </summary>
    public string? Weights { get; set; }

    /// <summary>
    /// How the tensors of the <see cref="Weights"/> file are named: the network's own names by default;
    /// <see cref="Generated.WeightNames.ModuleOrder"/> for a PyTorch <c>state_dict</c> of an <c>nn.Sequential</c>
    /// (<c>0.weight</c>, <c>0.bias</c>, <c>2.weight</c>, ...), paired with the layers exactly as
    /// <c>LoadWeights(path, WeightNames.ModuleOrder)</c> pairs them.
    /// </summary>
    public WeightNames WeightNames { get; set; }

    /// <summary>
    /// The arithmetic of the baked network's <c>Forward</c>: <see cref="Generated.Precision.Float32"/> (the default)
    /// or <see cref="Generated.Precision.Int8"/>, whose weights are quantized at build time to a quarter of the bytes
    /// (see docs/embedded-inference.md). Int8 needs <see cref="Weights"/>; without it the declaration is error BPG0130.
    /// </summary>
    public Precision Precision { get; set; }
}

/// <summary>
/// The network's input: <c>[Input(size)]</c> for a flat vector of features, <c>[Input(channels, length)]</c> for a 1-D
/// signal and <c>[Input(channels, height, width)]</c> for an image. A sample is channel-major, exactly a row of a
/// contiguous PyTorch <c>N×C×L</c> or <c>N×C×H×W</c> tensor; <see cref="Size"/> is the product of the dimensions.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    /// <summary>Declares <paramref name="size"/> input features (a flat vector: one channel of that length).</summary>
    public InputAttribute(int size)
    {
        Size = size;
        Channels = 1;
        Length = size;
        Height = 1;
        Width = size;
    }

    /// <summary>Declares a 1-D signal of <paramref name="channels"/> channels of <paramref name="length"/> positions each.</summary>
    public InputAttribute(int channels, int length)
    {
        Channels = channels;
        Length = length;
        Height = 1;
        Width = length;
        Size = channels * length;
    }

    /// <summary>Declares an image of <paramref name="channels"/> channels of <paramref name="height"/> × <paramref name="width"/> pixels.</summary>
    public InputAttribute(int channels, int height, int width)
    {
        Channels = channels;
        Height = height;
        Width = width;
        Length = height * width;
        Size = channels * height * width;
    }

    /// <summary>The number of input floats per sample: the product of the dimensions.</summary>
    public int Size { get; }

    /// <summary>Channels of a shaped input; 1 for <c>[Input(size)]</c>.</summary>
    public int Channels { get; }

    /// <summary>Positions per channel: the length of a 1-D signal, height × width of an image, the size of a flat input.</summary>
    public int Length { get; }

    /// <summary>Rows of an image; 1 for a 1-D signal or a flat input.</summary>
    public int Height { get; }

    /// <summary>Columns of an image; the length of a 1-D signal; the size of a flat input.</summary>
    public int Width { get; }
}

/// <summary>
/// A fully connected layer <c>a = f(W x + b)</c>. Layers are taken in source order.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : Attribute
{
    /// <summary>Declares a layer of <paramref name="units"/> outputs followed by <paramref name="activation"/>.</summary>
    public DenseAttribute(int units, Activation activation = Activation.Linear)
    {
        Units = units;
        Activation = activation;
    }

    /// <summary>The number of outputs of the layer.</summary>
    public int Units { get; }

    /// <summary>The nonlinearity applied to the layer's output.</summary>
    public Activation Activation { get; }

    /// <summary>How the weights are initialized; <see cref="Init.Auto"/> unless given.</summary>
    public Init Init { get; set; }
}

/// <summary>
/// Inverted dropout on the previous layer's output: in training (<c>Backward</c>) each value is zeroed with
/// probability <see cref="Rate"/> and the survivors are scaled by <c>1 / (1 - rate)</c>; in <c>Forward</c> it is the
/// identity. The mask is a deterministic function of the seed, the network's <c>DropoutStep</c>, the layer and the element.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : Attribute
{
    /// <summary>Declares dropout with the probability <paramref name="rate"/> in [0, 1) of zeroing a value.</summary>
    public DropoutAttribute(double rate) => Rate = rate;

    /// <summary>The probability of zeroing a value, in [0, 1).</summary>
    public double Rate { get; }
}

/// <summary>
/// Batch normalization of the previous layer's output (Ioffe and Szegedy 2015), with PyTorch's semantics:
/// batch statistics over the k samples of a <c>Backward</c> call in training (k ≥ 2), running mean and unbiased running
/// variance (momentum 0.1, epsilon 1e-5) in <c>Forward</c>. Its scale (gamma, starts at 1) and shift (beta, starts at 0)
/// are trained parameters placed right after the preceding Dense layer's biases; the running statistics are
/// <see cref="INetwork.State"/>, saved with the weights.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormAttribute : Attribute
{
}

/// <summary>
/// An activation as a layer of its own (no parameters), e.g. after a batch norm:
/// <c>[Dense(32, Activation.Linear)] [BatchNorm] [Activation(Activation.ReLU)]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class ActivationAttribute : Attribute
{
    /// <summary>Declares a layer applying <paramref name="activation"/> elementwise (softmax: over the whole vector).</summary>
    public ActivationAttribute(Activation activation) => Activation = activation;

    /// <summary>The nonlinearity.</summary>
    public Activation Activation { get; }
}

/// <summary>
/// A 1-D convolution over a <c>[Input(channels, length)]</c> signal or the previous 1-D layer, as PyTorch's
/// <c>nn.Conv1d</c> (groups 1): <c>z[f, x] = b[f] + Σ_c Σ_u W[f, c, u] · in[c, x·Stride + u·Dilation − Padding]</c>, then
/// the activation. Output length <c>floor((n + 2·Padding − Dilation·(kernelSize − 1) − 1) / Stride) + 1</c>. Weights
/// are stored <c>[filters][inChannels][kernelSize]</c> row-major, then the biases, as PyTorch stores them.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class Conv1DAttribute : Attribute
{
    /// <summary>Declares <paramref name="filters"/> filters of <paramref name="kernelSize"/> taps followed by <paramref name="activation"/>.</summary>
    public Conv1DAttribute(int filters, int kernelSize, Activation activation = Activation.Linear)
    {
        Filters = filters;
        KernelSize = kernelSize;
        Activation = activation;
    }

    /// <summary>The number of output channels.</summary>
    public int Filters { get; }

    /// <summary>Taps per filter and input channel.</summary>
    public int KernelSize { get; }

    /// <summary>The nonlinearity applied to the layer's output.</summary>
    public Activation Activation { get; }

    /// <summary>Step between output positions; 1 unless given.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Zeros added at each end of every input channel; 0 unless given.</summary>
    public int Padding { get; set; }

    /// <summary>Spacing between taps (an à-trous convolution widens its receptive field with it); 1 unless given.</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>How the weights are initialized; <see cref="Init.Auto"/> unless given (fans as PyTorch's: fan-in = inChannels × kernelSize).</summary>
    public Init Init { get; set; }
}

/// <summary>
/// A 2-D convolution with square kernels over a <c>[Input(channels, height, width)]</c> image or the previous 2-D
/// layer, as PyTorch's <c>nn.Conv2d</c> (groups 1):
/// <c>z[f, y, x] = b[f] + Σ_c Σ_u Σ_v W[f, c, u, v] · in[c, y·Stride + u·Dilation − Padding, x·Stride + v·Dilation − Padding]</c>,
/// then the activation. Output size per axis <c>floor((n + 2·Padding − Dilation·(kernelSize − 1) − 1) / Stride) + 1</c>.
/// Weights are stored <c>[filters][inChannels][kernelSize][kernelSize]</c> row-major, then the biases.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : Attribute
{
    /// <summary>Declares <paramref name="filters"/> filters of <paramref name="kernelSize"/> × <paramref name="kernelSize"/> followed by <paramref name="activation"/>.</summary>
    public Conv2DAttribute(int filters, int kernelSize, Activation activation = Activation.Linear)
    {
        Filters = filters;
        KernelSize = kernelSize;
        Activation = activation;
    }

    /// <summary>The number of output channels.</summary>
    public int Filters { get; }

    /// <summary>Rows and columns of each kernel.</summary>
    public int KernelSize { get; }

    /// <summary>The nonlinearity applied to the layer's output.</summary>
    public Activation Activation { get; }

    /// <summary>Step between output positions along each axis; 1 unless given.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Rows and columns of zeros added on each side; 0 unless given.</summary>
    public int Padding { get; set; }

    /// <summary>Spacing between taps along each axis; 1 unless given.</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>How the weights are initialized; <see cref="Init.Auto"/> unless given (fan-in = inChannels × kernelSize²).</summary>
    public Init Init { get; set; }
}

/// <summary>
/// 1-D max pooling: the largest value of each window of <see cref="Size"/> positions, windows side by side (stride =
/// size, no padding, floor mode, as <c>nn.MaxPool1d(size)</c>). The gradient goes to the first maximum of its window.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool1DAttribute : Attribute
{
    /// <summary>Declares windows of <paramref name="size"/> positions.</summary>
    public MaxPool1DAttribute(int size) => Size = size;

    /// <summary>Positions per window, and the stride.</summary>
    public int Size { get; }
}

/// <summary>
/// 2-D max pooling: the largest value of each <see cref="Size"/> × <see cref="Size"/> window, windows side by side
/// (stride = size, no padding, floor mode, as <c>nn.MaxPool2d(size)</c>). The gradient goes to the first maximum of its
/// window in row-major order.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool2DAttribute : Attribute
{
    /// <summary>Declares windows of <paramref name="size"/> × <paramref name="size"/>.</summary>
    public MaxPool2DAttribute(int size) => Size = size;

    /// <summary>Rows and columns per window, and the stride.</summary>
    public int Size { get; }
}

/// <summary>1-D average pooling: the mean of each window of <see cref="Size"/> positions (stride = size, no padding, floor mode, as <c>nn.AvgPool1d(size)</c>).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool1DAttribute : Attribute
{
    /// <summary>Declares windows of <paramref name="size"/> positions.</summary>
    public AvgPool1DAttribute(int size) => Size = size;

    /// <summary>Positions per window, and the stride.</summary>
    public int Size { get; }
}

/// <summary>2-D average pooling: the mean of each <see cref="Size"/> × <see cref="Size"/> window (stride = size, no padding, floor mode, as <c>nn.AvgPool2d(size)</c>).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool2DAttribute : Attribute
{
    /// <summary>Declares windows of <paramref name="size"/> × <paramref name="size"/>.</summary>
    public AvgPool2DAttribute(int size) => Size = size;

    /// <summary>Rows and columns per window, and the stride.</summary>
    public int Size { get; }
}

/// <summary>The mean over all positions of each channel of a 1-D or 2-D layer: one value per channel (<c>nn.AdaptiveAvgPool1d(1)</c>/<c>2d(1)</c> then flatten).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAveragePoolAttribute : Attribute
{
}
