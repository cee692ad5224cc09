using System.Collections.Generic;
using Backprop.Generated.Generators.Shared;

namespace Backprop.Generated.Generators.Model;

// The generator pipeline's models: plain equatable records with no ISymbol, SyntaxNode or Location, so the
// incremental pipeline can compare them between runs and skip emission when nothing relevant changed.

/// <summary>Where and how the partial type is declared.</summary>
/// <param name="Namespace">The namespace, or null for the global namespace.</param>
/// <param name="ContainingTypes">Declaration headers of the containing types, outermost first (e.g. "partial class Outer").</param>
/// <param name="Keyword">"class".</param>
/// <param name="Name">The type's name.</param>
/// <param name="HintName">A file name unique in the compilation.</param>
internal sealed record TypeDeclarationModel(
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string Keyword,
    string Name,
    string HintName);

/// <summary>What a layer does.</summary>
internal enum LayerKind
{
    /// <summary>a = f(W·x + b).</summary>
    Dense,

    /// <summary>a = f(x), no parameters.</summary>
    Activation,

    /// <summary>Inverted dropout in training, identity in inference.</summary>
    Dropout,

    /// <summary>Batch normalization with a scale and shift, and running statistics (per channel on shaped values).</summary>
    BatchNorm,

    /// <summary>A 1-D convolution (nn.Conv1d, groups 1), then the activation.</summary>
    Conv1D,

    /// <summary>A 2-D convolution with square kernels (nn.Conv2d, groups 1), then the activation.</summary>
    Conv2D,

    /// <summary>The largest value of each window (stride = window, floor mode).</summary>
    MaxPool1D,

    /// <summary>The largest value of each square window (stride = window, floor mode).</summary>
    MaxPool2D,

    /// <summary>The mean of each window (stride = window, floor mode).</summary>
    AvgPool1D,

    /// <summary>The mean of each square window (stride = window, floor mode).</summary>
    AvgPool2D,

    /// <summary>The mean over all positions of each channel.</summary>
    GlobalAveragePool,
}

/// <summary>
/// The shape of the values between two layers, for one sample: <see cref="Rank"/> 0 is a flat vector of
/// <see cref="Channels"/> values (height and width 1: a batch norm on it is per feature, as before convolutions
/// existed), rank 1 a signal of <see cref="Channels"/> × <see cref="Width"/> (height 1), rank 2 an image of
/// <see cref="Channels"/> × <see cref="Height"/> × <see cref="Width"/>. Stored channel-major, as PyTorch.
/// </summary>
internal sealed record ValueShape(int Rank, int Channels, int Height, int Width)
{
    /// <summary>A flat vector of <paramref name="size"/> values.</summary>
    public static ValueShape Flat(int size) => new(0, size, 1, 1);

    /// <summary>Floats per sample.</summary>
    public int Size => Channels * Height * Width;

    /// <summary>Positions per channel (1 for a flat vector).</summary>
    public int Positions => Height * Width;

    /// <summary>As the remarks and diagnostics write it: <c>784</c>, <c>3×128</c>, <c>1×28×28</c>.</summary>
    public override string ToString() => Rank switch
    {
        0 => Channels.ToString(System.Globalization.CultureInfo.InvariantCulture),
        1 => $"{Channels}×{Width}",
        _ => $"{Channels}×{Height}×{Width}",
    };
}

/// <summary>
/// A convolution's or pooling layer's window: <see cref="Kernel"/> taps (per axis; a pooling window's size),
/// <see cref="Stride"/>, <see cref="Padding"/> (zeros on each side) and <see cref="Dilation"/>. Pooling: stride =
/// kernel, padding 0, dilation 1; global average pooling: the whole plane (<see cref="Kernel"/> is then the width and
/// <see cref="KernelHeight"/> the height).
/// </summary>
internal sealed record WindowModel(int Kernel, int Stride, int Padding, int Dilation, int KernelHeight);

/// <summary>One layer, in declaration order.</summary>
/// <param name="Kind">What the layer does.</param>
/// <param name="Position">Position among all layers, from 0.</param>
/// <param name="Index">Index of the Dense layer this layer is or belongs to (names its tensors <c>layers.{Index}</c>).</param>
/// <param name="Inputs">Width of the layer's input (fan-in for Dense).</param>
/// <param name="Units">Width of the layer's output (equal to <paramref name="Inputs"/> except for Dense).</param>
/// <param name="Activation">The Dense layer's or Activation layer's function; Linear otherwise.</param>
/// <param name="DeclaredInit">The initializer as written (Dense only).</param>
/// <param name="Init">The initializer after resolving <see cref="InitKind.Auto"/> on the effective activation.</param>
/// <param name="EffectiveActivation">The activation the initializer is chosen for (see the parser).</param>
/// <param name="ParameterOffset">Dense: offset of the weights (biases follow). BatchNorm: offset of gamma (beta follows).</param>
/// <param name="StateOffset">BatchNorm: offset of the running mean in the state (running variance follows).</param>
/// <param name="Rate">Dropout: the drop probability.</param>
/// <param name="In">The shape reaching the layer (flat for Dense layers' inputs on flat values; a Dense layer flattens).</param>
/// <param name="Out">The shape the layer gives (flat for Dense; <see cref="ValueShape.Size"/> = <paramref name="Units"/>).</param>
/// <param name="Window">Convolution and pooling layers: the kernel or window; null for other layers.</param>
internal sealed record LayerModel(
    LayerKind Kind,
    int Position,
    int Index,
    int Inputs,
    int Units,
    ActivationKind Activation,
    InitKind DeclaredInit,
    InitKind Init,
    ActivationKind EffectiveActivation,
    int ParameterOffset,
    int StateOffset,
    double Rate,
    ValueShape In,
    ValueShape Out,
    WindowModel? Window = null)
{
    public int WeightCount => Kind switch
    {
        LayerKind.Dense => Inputs * Units,
        LayerKind.Conv1D or LayerKind.Conv2D => Out.Channels * In.Channels * KernelArea,
        _ => 0,
    };

    public int BiasOffset => ParameterOffset + WeightCount;

    /// <summary>Biases of a layer with weights: one per unit (Dense) or per filter (convolution).</summary>
    public int BiasCount => Kind == LayerKind.Dense ? Units : IsConvolution ? Out.Channels : 0;

    /// <summary>Dense or a convolution: the layers that count in <see cref="Index"/>.</summary>
    public bool HasWeights => Kind is LayerKind.Dense or LayerKind.Conv1D or LayerKind.Conv2D;

    /// <summary>Conv1D or Conv2D.</summary>
    public bool IsConvolution => Kind is LayerKind.Conv1D or LayerKind.Conv2D;

    /// <summary>A pooling layer of any kind.</summary>
    public bool IsPooling => Kind is LayerKind.MaxPool1D or LayerKind.MaxPool2D or LayerKind.AvgPool1D or LayerKind.AvgPool2D or LayerKind.GlobalAveragePool;

    /// <summary>Taps per filter and input channel: k (1-D) or k² (2-D); 0 for other layers.</summary>
    public int KernelArea => Window is null ? 0 : Kind == LayerKind.Conv2D ? Window.Kernel * Window.Kernel : Window.Kernel;

    /// <summary>Features a batch norm normalizes: the channels (a flat vector's values are its channels).</summary>
    public int Features => Out.Channels;

    /// <summary>Trainable floats of this layer.</summary>
    public int ParameterCount => Kind switch
    {
        LayerKind.Dense or LayerKind.Conv1D or LayerKind.Conv2D => WeightCount + BiasCount,
        LayerKind.BatchNorm => 2 * Features,
        _ => 0,
    };

    /// <summary>State floats of this layer (batch-norm running statistics).</summary>
    public int StateCount => Kind == LayerKind.BatchNorm ? 2 * Features : 0;

    /// <summary>The convolution's geometry for the runtime's kernels (the shared <see cref="ConvShape"/>).</summary>
    public ConvShape ConvShape => Kind == LayerKind.Conv2D
        ? ConvShape.TwoD(In.Channels, In.Height, In.Width, Out.Channels, Window!.Kernel, Window.Stride, Window.Padding, Window.Dilation)
        : ConvShape.OneD(In.Channels, In.Width, Out.Channels, Window!.Kernel, Window.Stride, Window.Padding, Window.Dilation);

    /// <summary>The pooling layer's geometry for the runtime's kernels (the shared <see cref="PoolShape"/>).</summary>
    public PoolShape PoolShape => new(In.Channels, In.Height, In.Width, Window!.KernelHeight, Window.Kernel);
}

/// <summary>A valid network declaration, ready to emit.</summary>
/// <param name="Tensors">
/// The network's tensors (name in weights files, role, buffer, offset, shape) from the runtime's shared
/// <see cref="TensorLayout"/>: the emitter writes the generated <c>Tensors</c> list from it and the baked-weights
/// matcher checks files against it.
/// </param>
/// <param name="BakedWeights">Set by <c>[Network(Weights = "file")]</c>: an inference-only network with those weights baked in.</param>
internal sealed record NetworkModel(
    TypeDeclarationModel Type,
    LossKind Loss,
    ValueShape InputShape,
    EquatableArray<LayerModel> Layers,
    int ParameterCount,
    int StateCount,
    EquatableArray<TensorSpec> Tensors,
    bool EmitConstructors,
    WeightsReference? BakedWeights = null)
{
    public int InputSize => InputShape.Size;

    public int OutputSize => Layers[Layers.Count - 1].Units;

    /// <summary>True when the network has a convolution or pooling layer: it takes the layer-by-layer path.</summary>
    public bool HasConvolutions
    {
        get
        {
            foreach (LayerModel layer in Layers)
            {
                if (layer.IsConvolution || layer.IsPooling) return true;
            }
            return false;
        }
    }

    /// <summary>The tensors of <paramref name="layers"/>, in layer order, as <see cref="TensorLayout"/> lays them out.</summary>
    public static EquatableArray<TensorSpec> TensorsOf(IEnumerable<LayerModel> layers)
    {
        var tensors = new List<TensorSpec>();
        foreach (LayerModel layer in layers)
        {
            if (layer.Kind == LayerKind.Dense)
            {
                TensorLayout.AddDense(tensors, layer.Index, layer.ParameterOffset, layer.Inputs, layer.Units);
            }
            else if (layer.IsConvolution)
            {
                TensorLayout.AddConvolution(tensors, layer.Index, layer.ParameterOffset, layer.Out.Channels, layer.In.Channels,
                    layer.Kind == LayerKind.Conv2D ? 2 : 1, layer.Window!.Kernel);
            }
            else if (layer.Kind == LayerKind.BatchNorm)
            {
                TensorLayout.AddBatchNorm(tensors, layer.Index, layer.ParameterOffset, layer.StateOffset, layer.Features);
            }
        }
        return new EquatableArray<TensorSpec>(tensors);
    }

    /// <summary>True when every layer is Dense: the per-sample emitter with unrolled small layers applies.</summary>
    public bool IsDenseOnly
    {
        get
        {
            foreach (LayerModel layer in Layers)
            {
                if (layer.Kind != LayerKind.Dense) return false;
            }
            return true;
        }
    }
}
