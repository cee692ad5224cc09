// Compiled into the runtime and, linked, into the generator (see the generator's project file): the generator plans
// shapes and sizes with the same arithmetic the runtime's convolution and pooling kernels use.
using System.ComponentModel;

#if BACKPROP_GENERATOR
namespace Backprop.Generated.Generators.Shared;
#else
namespace Backprop.Generated.CompilerServices;
#endif

/// <summary>
/// The geometry of one convolution layer (groups 1), as PyTorch's <c>nn.Conv1d</c>/<c>nn.Conv2d</c>: a sample's input
/// is <c>[InChannels][InHeight][InWidth]</c> row-major, its output <c>[Filters][OutHeight][OutWidth]</c>, the weights
/// <c>[Filters][InChannels][KernelHeight][KernelWidth]</c>. A 1-D convolution is the case <c>InHeight = KernelHeight = 1</c>
/// with stride, padding and dilation along the width only (<see cref="OneD"/>); a 2-D one applies them to both axes
/// (<see cref="TwoD"/>). Used by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
#if BACKPROP_GENERATOR
internal
#else
public
#endif
readonly struct ConvShape
{
    private ConvShape(int inChannels, int inHeight, int inWidth, int filters, int kernelHeight, int kernelWidth,
        int strideY, int strideX, int paddingY, int paddingX, int dilationY, int dilationX)
    {
        InChannels = inChannels;
        InHeight = inHeight;
        InWidth = inWidth;
        Filters = filters;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        StrideY = strideY;
        StrideX = strideX;
        PaddingY = paddingY;
        PaddingX = paddingX;
        DilationY = dilationY;
        DilationX = dilationX;
        OutHeight = OutputLength(inHeight, kernelHeight, strideY, paddingY, dilationY);
        OutWidth = OutputLength(inWidth, kernelWidth, strideX, paddingX, dilationX);
    }

    /// <summary>A 1-D convolution of <paramref name="filters"/> filters of <paramref name="kernelSize"/> taps over <paramref name="inChannels"/> × <paramref name="length"/>.</summary>
    public static ConvShape OneD(int inChannels, int length, int filters, int kernelSize, int stride, int padding, int dilation) =>
        new(inChannels, 1, length, filters, 1, kernelSize, 1, stride, 0, padding, 1, dilation);

    /// <summary>A 2-D convolution of <paramref name="filters"/> square filters over <paramref name="inChannels"/> × <paramref name="height"/> × <paramref name="width"/>.</summary>
    public static ConvShape TwoD(int inChannels, int height, int width, int filters, int kernelSize, int stride, int padding, int dilation) =>
        new(inChannels, height, width, filters, kernelSize, kernelSize, stride, stride, padding, padding, dilation, dilation);

    /// <summary>
    /// Output positions along one axis: <c>floor((n + 2·padding − dilation·(kernel − 1) − 1) / stride) + 1</c>, as PyTorch;
    /// 0 or less when the kernel does not fit the padded input (the analyzers report that as BPG0120).
    /// </summary>
    public static int OutputLength(int n, int kernel, int stride, int padding, int dilation)
    {
        int span = n + 2 * padding - dilation * (kernel - 1) - 1;
        return span < 0 ? 0 : span / stride + 1;
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Input rows (1 for 1-D).</summary>
    public int InHeight { get; }

    /// <summary>Input columns (the length for 1-D).</summary>
    public int InWidth { get; }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel rows (1 for 1-D).</summary>
    public int KernelHeight { get; }

    /// <summary>Kernel columns (taps for 1-D).</summary>
    public int KernelWidth { get; }

    /// <summary>Step between output rows.</summary>
    public int StrideY { get; }

    /// <summary>Step between output columns.</summary>
    public int StrideX { get; }

    /// <summary>Zero rows above and below.</summary>
    public int PaddingY { get; }

    /// <summary>Zero columns left and right.</summary>
    public int PaddingX { get; }

    /// <summary>Spacing between kernel rows.</summary>
    public int DilationY { get; }

    /// <summary>Spacing between kernel columns.</summary>
    public int DilationX { get; }

    /// <summary>Output rows.</summary>
    public int OutHeight { get; }

    /// <summary>Output columns.</summary>
    public int OutWidth { get; }

    /// <summary>Input floats per sample.</summary>
    public int InputSize => InChannels * InHeight * InWidth;

    /// <summary>Output floats per sample.</summary>
    public int OutputSize => Filters * OutHeight * OutWidth;

    /// <summary>Weights per filter: the fan-in, InChannels × KernelHeight × KernelWidth.</summary>
    public int FanIn => InChannels * KernelHeight * KernelWidth;

    /// <summary>Weights of the layer: Filters × <see cref="FanIn"/>.</summary>
    public int WeightCount => Filters * FanIn;

    /// <summary>Multiply-adds per sample of the forward pass.</summary>
    public long MultiplyAdds => (long)OutputSize * FanIn;
}

/// <summary>
/// The geometry of one pooling layer: windows of <see cref="WindowHeight"/> × <see cref="WindowWidth"/> side by side
/// (stride = window, no padding, floor mode: rows or columns past the last whole window are left out), per channel of a
/// <c>[Channels][InHeight][InWidth]</c> sample. A 1-D pooling is <c>InHeight = WindowHeight = 1</c>; a global average
/// pooling is one window over the whole channel. Used by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
#if BACKPROP_GENERATOR
internal
#else
public
#endif
readonly struct PoolShape
{
    /// <summary>Windows of <paramref name="windowHeight"/> × <paramref name="windowWidth"/> over <paramref name="channels"/> × <paramref name="inHeight"/> × <paramref name="inWidth"/>.</summary>
    public PoolShape(int channels, int inHeight, int inWidth, int windowHeight, int windowWidth)
    {
        Channels = channels;
        InHeight = inHeight;
        InWidth = inWidth;
        WindowHeight = windowHeight;
        WindowWidth = windowWidth;
    }

    /// <summary>Channels (unchanged by pooling).</summary>
    public int Channels { get; }

    /// <summary>Input rows (1 for 1-D).</summary>
    public int InHeight { get; }

    /// <summary>Input columns (the length for 1-D).</summary>
    public int InWidth { get; }

    /// <summary>Window rows, and the vertical stride.</summary>
    public int WindowHeight { get; }

    /// <summary>Window columns, and the horizontal stride.</summary>
    public int WindowWidth { get; }

    /// <summary>Output rows: whole windows only.</summary>
    public int OutHeight => InHeight / WindowHeight;

    /// <summary>Output columns: whole windows only.</summary>
    public int OutWidth => InWidth / WindowWidth;

    /// <summary>Input floats per sample.</summary>
    public int InputSize => Channels * InHeight * InWidth;

    /// <summary>Output floats per sample.</summary>
    public int OutputSize => Channels * OutHeight * OutWidth;
}
