using Backprop.Generated.Generators.Model;
using Backprop.Generated.Generators.Parsing;
using Microsoft.CodeAnalysis;

namespace Backprop.Generated.Generators.Tests;

/// <summary>The parser's model of convolutional networks: shapes after every layer, offsets, tensors and initializer fans.</summary>
public class ConvParserTests
{
    internal static NetworkModel Model(string declaration)
    {
        var compilation = Harness.Compilation(Harness.Preamble + declaration + " public partial class Net { }");
        INamedTypeSymbol type = compilation.GetTypeByMetadataName("Net")!;
        return NetworkParser.Parse(type, CancellationToken.None) ?? throw new InvalidOperationException("no model");
    }

    internal const string FashionCnn = "[Network(Loss.CrossEntropy)] [Input(1, 28, 28)] [Conv2D(16, 5, Activation.ReLU, Padding = 2)] [MaxPool2D(2)] " +
        "[Conv2D(32, 5, Activation.ReLU, Padding = 2)] [MaxPool2D(2)] [Dense(10, Activation.Softmax)]";

    internal const string SensorNet = "[Network(Loss.CrossEntropy)] [Input(3, 128)] [Conv1D(8, 5, Activation.ReLU, Stride = 2, Padding = 2)] [AvgPool1D(2)] " +
        "[Conv1D(16, 3, Activation.Tanh)] [GlobalAveragePool] [Dense(4, Activation.Softmax)]";

    [Fact]
    public void FashionCnn_shapes_offsets_and_tensors_are_PyTorchs()
    {
        NetworkModel model = Model(FashionCnn);
        Assert.Equal(new ValueShape(2, 1, 28, 28), model.InputShape);
        Assert.Equal(784, model.InputSize);
        Assert.Equal(new[] { "16×28×28", "16×14×14", "32×14×14", "32×7×7", "10" }, model.Layers.Select(l => l.Out.ToString()));
        Assert.Equal(new[] { 0, 0, 1, 1, 2 }, model.Layers.Select(l => l.Index));
        // conv1: 16·1·25 + 16 = 416; conv2: 32·16·25 + 32 = 12,832; dense: 10·1568 + 10 = 15,690
        Assert.Equal(416 + 12_832 + 15_690, model.ParameterCount);
        Assert.Equal(0, model.Layers[2].ParameterOffset - 416);
        Assert.Equal(1568, model.Layers[4].Inputs); // flattened 32×7×7
        Assert.Equal(
            new[] { "layers.0.weight [16, 1, 5, 5] at Parameters[0]", "layers.0.bias [16] at Parameters[400]",
                    "layers.1.weight [32, 16, 5, 5] at Parameters[416]", "layers.1.bias [32] at Parameters[13216]",
                    "layers.2.weight [10, 1568] at Parameters[13248]", "layers.2.bias [10] at Parameters[28928]" },
            model.Tensors.Select(t => t.ToString()));
        Assert.Equal(new WindowModel(5, 1, 2, 1, 5), model.Layers[0].Window);
        Assert.Equal(new WindowModel(2, 2, 0, 1, 2), model.Layers[1].Window);
        Assert.Equal(Backprop.Generated.Generators.Shared.Init.HeUniform, model.Layers[0].Init);
    }

    [Fact]
    public void SensorNet_shapes()
    {
        NetworkModel model = Model(SensorNet);
        // (128 + 4 − 4 − 1) / 2 + 1 = 64; pool 32; (32 − 2 − 1) + 1 = 30; global 16×1
        Assert.Equal(new[] { "8×64", "8×32", "16×30", "16×1", "4" }, model.Layers.Select(l => l.Out.ToString()));
        Assert.Equal(8 * 3 * 5 + 8 + 16 * 8 * 3 + 16 + 4 * 16 + 4, model.ParameterCount);
        Assert.Equal(new WindowModel(30, 30, 0, 1, 1), model.Layers[3].Window);
        Assert.Equal(Backprop.Generated.Generators.Shared.Init.XavierUniform, model.Layers[2].Init); // Tanh
        Assert.Equal("layers.1.weight [16, 8, 3] at Parameters[128]", model.Tensors[2].ToString());
    }

    [Fact]
    public void BatchNorm_after_a_convolution_is_per_channel_and_pooling_keeps_the_remainder_out()
    {
        NetworkModel model = Model("[Network(Loss.MeanSquaredError)] [Input(2, 9, 9)] [Conv2D(4, 3, Stride = 2, Dilation = 2)] [BatchNorm] [Activation(Activation.ReLU)] [AvgPool2D(2)] [Dense(2)]");
        // (9 − 2·2 − 1) / 2 + 1 = 3
        Assert.Equal(new[] { "4×3×3", "4×3×3", "4×3×3", "4×1×1", "2" }, model.Layers.Select(l => l.Out.ToString()));
        LayerModel bn = model.Layers[1];
        Assert.Equal(4, bn.Features);
        Assert.Equal(8, bn.ParameterCount);
        Assert.Equal(8, model.StateCount);
        Assert.Contains(model.Tensors, t => t.ToString() == "layers.0.bn.weight [4] at Parameters[76]");
        Assert.Equal(Backprop.Generated.Generators.Shared.Init.HeUniform, model.Layers[0].Init); // Linear conv + BatchNorm + ReLU layer: Init.Auto looks through
    }
}
