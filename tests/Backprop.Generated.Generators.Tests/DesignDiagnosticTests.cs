using System.Globalization;
using Microsoft.CodeAnalysis;

namespace Backprop.Generated.Generators.Tests;

/// <summary>The BPG00nn warnings fire at the exact argument with a message naming the layer, and are silent on good declarations.</summary>
public class DesignDiagnosticTests
{
    public static TheoryData<string, string, string> Cases => new()
    {
        // BPG0001: He on a non-ReLU layer.
        { "BPG0001", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(4, Activation.Tanh, [|Init = Init.HeUniform|])] [Dense(1)] public partial class Net { }",
            "Layer 0 (Dense, 4 units) has activation Tanh but Init.HeUniform, which is meant for ReLU layers: its doubled variance drives Tanh units into saturation, where their gradient vanishes; use Init.XavierUniform (Glorot and Bengio 2010) or Init.Auto" },
        { "BPG0001", "[Network(Loss.BinaryCrossEntropy)] [Input(2)] [Dense(4, Activation.ReLU)] [Dense(1, Activation.Sigmoid, [|Init = Init.HeNormal|])] public partial class Net { }",
            "Layer 1 (Dense, 1 unit) has activation Sigmoid but Init.HeNormal" },
        { "BPG0001", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(4, Activation.ReLU)] [Dense(2, [|Init = Init.HeUniform|])] public partial class Net { }",
            "Layer 1 (Dense, 2 units) has activation Linear but Init.HeUniform" },
        { "BPG0001", "[Network(Loss.CrossEntropy)] [Input(2)] [Dense(3, Activation.Softmax, [|Init = Init.HeNormal|])] public partial class Net { }",
            "start out overconfident" },
        // BPG0002: Xavier or LeCun on a ReLU layer.
        { "BPG0002", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.ReLU, [|Init = Init.XavierUniform|])] [Dense(1)] public partial class Net { }",
            "Layer 0 (Dense, 8 units) has activation ReLU but Init.XavierUniform: ReLU zeroes about half its inputs, so this variance halves the signal at every layer and deep stacks die out; use Init.HeUniform (He et al. 2015) or Init.Auto" },
        { "BPG0002", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.LeakyReLU, [|Init = Init.LeCunNormal|])] [Dense(1)] public partial class Net { }",
            "Layer 0 (Dense, 8 units) has activation LeakyReLU but Init.LeCunNormal" },
        { "BPG0002", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(3)] [Dense(activation: Activation.ReLU, units: 5, [|Init = Init.XavierNormal|])] public partial class Net { }",
            "Layer 1 (Dense, 5 units) has activation ReLU but Init.XavierNormal" },
        // Standard U(±1/√fan-in) weights (Init.StandardUniform) leave a sixth of the variance through a ReLU: samples/DeepNetworks
        // measures a 20-layer stack's signal falling to 4.3e-9 and its training staying at chance.
        { "BPG0002", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.ReLU, [|Init = Init.StandardUniform|])] [Dense(1)] public partial class Net { }",
            "Layer 0 (Dense, 8 units) has activation ReLU but Init.StandardUniform: ReLU zeroes about half its inputs, so this variance cuts the signal's variance to a sixth at every layer and deep stacks die out; use Init.HeUniform (He et al. 2015) or Init.Auto" },
        // BPG0003: zeros.
        { "BPG0003", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.ReLU, [|Init = Init.Zeros|])] [Dense(1)] public partial class Net { }",
            "Layer 0 (Dense, 8 units) has Init.Zeros: all its units start identical and receive the same gradient, so the layer never breaks symmetry, and no gradient reaches the layers below it on the first step; use Init.HeUniform or Init.Auto" },
        { "BPG0003", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.Tanh)] [Dense(1, [|Init = Init.Zeros|])] public partial class Net { }",
            "use Init.XavierUniform or Init.Auto" },
        // BPG0004: loss and output do not fit, on the loss argument.
        { "BPG0004", "[Network([|Loss.MeanSquaredError|])] [Input(2)] [Dense(3, Activation.Softmax)] public partial class Net { }",
            "The output layer (layer 0, Dense, 3 units) has activation Softmax but the loss is MeanSquaredError: squared error on softmax probabilities learns slowly when a class is confidently wrong, since the softmax's gradient vanishes there; use Loss.CrossEntropy" },
        { "BPG0004", "[Network([|Loss.CrossEntropy|])] [Input(2)] [Dense(4, Activation.ReLU)] [Dense(3, Activation.Tanh)] public partial class Net { }",
            "has activation Tanh but the loss is CrossEntropy: cross-entropy reads the outputs as a probability distribution (it takes their log), which a Tanh output is not; use Loss.MeanSquaredError" },
        { "BPG0004", "[Network([|Loss.CrossEntropy|])] [Input(2)] [Dense(2, Activation.ReLU)] public partial class Net { }", "which a ReLU output is not; use Loss.MeanSquaredError" },
        { "BPG0004", "[Network([|Loss.CrossEntropy|])] [Input(2)] [Dense(2, Activation.Sigmoid)] public partial class Net { }", "use Loss.BinaryCrossEntropy" },
        { "BPG0004", "[Network([|Loss.BinaryCrossEntropy|])] [Input(2)] [Dense(3, Activation.Softmax)] public partial class Net { }", "use Loss.CrossEntropy" },
        { "BPG0004", "[Network([|Loss.BinaryCrossEntropy|])] [Input(2)] [Dense(1, Activation.Tanh)] public partial class Net { }", "which a Tanh output is not; use Loss.MeanSquaredError" },
        { "BPG0004", "[Network([|Loss.Hinge|])] [Input(2)] [Dense(1, Activation.Sigmoid)] public partial class Net { }", "a Sigmoid output is never negative; use Loss.BinaryCrossEntropy" },
        { "BPG0004", "[Network([|loss: Loss.Hinge|])] [Input(2)] [Dense(2, Activation.ReLU)] public partial class Net { }", "a ReLU output is never negative; use Loss.MeanSquaredError" },
        { "BPG0004", "[Network([|Loss.Hinge|])] [Input(2)] [Dense(2, Activation.Softmax)] public partial class Net { }", "use Loss.CrossEntropy" },
        // BPG0005: four or more saturating hidden layers in a row, once per run, on the fourth layer's activation.
        { "BPG0005", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.Tanh)] [Dense(8, Activation.Tanh)] [Dense(8, Activation.Tanh)] [Dense(6, [|Activation.Tanh|])] [Dense(1)] public partial class Net { }",
            "Layer 3 (Dense, 6 units) makes 4 Tanh hidden layers in a row (layers 0 to 3) with no [BatchNorm] between them: the gradient shrinks at every saturating layer and vanishes before it reaches the first ones; use ReLU or LeakyReLU for the hidden layers, or put a [BatchNorm] between them" },
        { "BPG0005", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.ReLU)] [Dense(8, Activation.Sigmoid)] [Dense(8, Activation.Tanh)] [Dense(8, Activation.Sigmoid)] [Dense(8, [|Activation.Tanh|])] [Dense(8, Activation.Tanh)] [Dense(8, Activation.Sigmoid)] [Dense(1)] public partial class Net { }",
            "Layer 4 (Dense, 8 units) makes 6 Sigmoid/Tanh hidden layers in a row (layers 1 to 6)" },
        // With [Dropout], [BatchNorm] and [Activation] layers: the effective activation of a Linear Dense layer is the
        // [Activation] after it (past BatchNorm/Dropout); layers are numbered by position among all layer attributes.
        { "BPG0002", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, [|Init = Init.XavierUniform|])] [BatchNorm] [Activation(Activation.ReLU)] [Dense(1)] public partial class Net { }",
            "Layer 0 (Dense, 8 units) has activation ReLU but Init.XavierUniform" },
        { "BPG0001", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.ReLU)] [Dropout(0.2)] [Dense(8, Activation.Linear, [|Init = Init.HeNormal|])] [Dropout(0.1)] [Activation(Activation.Tanh)] [Dense(1)] public partial class Net { }",
            "Layer 2 (Dense, 8 units) has activation Tanh but Init.HeNormal" },
        { "BPG0003", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, [|Init = Init.Zeros|])] [BatchNorm] [Activation(Activation.LeakyReLU)] [Dense(1)] public partial class Net { }",
            "use Init.HeUniform or Init.Auto" },
        { "BPG0004", "[Network([|Loss.MeanSquaredError|])] [Input(2)] [Dense(4, Activation.ReLU)] [Dense(3)] [Activation(Activation.Softmax)] public partial class Net { }",
            "The output layer (layer 1, Dense, 3 units) has activation Softmax but the loss is MeanSquaredError" },
        { "BPG0004", "[Network([|Loss.CrossEntropy|])] [Input(2)] [Dense(4, Activation.ReLU)] [Dropout(0.5)] [Dense(3, Activation.Sigmoid)] public partial class Net { }",
            "The output layer (layer 2, Dense, 3 units) has activation Sigmoid but the loss is CrossEntropy" },
        { "BPG0005", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8)] [Activation(Activation.Sigmoid)] [Dense(8, Activation.Sigmoid)] [Dropout(0.1)] [Dense(8, Activation.Sigmoid)] [Dense(8)] [Activation([|Activation.Sigmoid|])] [Dense(1)] public partial class Net { }",
            "Layer 5 (Dense, 8 units) makes 4 Sigmoid hidden layers in a row (layers 0 to 5)" },
        // BPG0006: layer order.
        { "BPG0006", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(4, Activation.ReLU)] [Dense(1)] [[|Dropout(0.25)|]] public partial class Net { }",
            "Layer 2 (Dropout, rate 0.25) is the last layer: it zeroes random predictions while training, so the loss is computed on corrupted outputs, and does nothing in Forward; remove it, or put it before the output layer (layer 1, Dense, 1 unit)" },
        { "BPG0006", "[Network(Loss.CrossEntropy)] [Input(2)] [Dense(4, Activation.ReLU)] [Dense(3, Activation.Softmax)] [[|Dropout(0.5)|]] public partial class Net { }",
            "Layer 2 (Dropout, rate 0.5) is the last layer" },
        { "BPG0006", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(4, Activation.ReLU)] [Dense(2)] [[|BatchNorm|]] public partial class Net { }",
            "Layer 2 (BatchNorm) comes after the output layer (layer 1, Dense, 2 units): in training it forces each batch's predictions to the same mean and spread (its shift and scale), so a prediction depends on the rest of the batch and batches whose targets differ on average cannot be fit; put [BatchNorm] between hidden layers instead" },
        { "BPG0006", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(4, Activation.ReLU)] [Dropout(0.5)] [[|Dropout(0.2)|]] [Dense(1)] public partial class Net { }",
            "Layer 2 (Dropout, rate 0.2) directly follows another Dropout (layer 1, rate 0.5): the two only compound to one dropout of rate 0.6, which is almost always a slip; use a single [Dropout(0.6)]" },
        // BPG0001 to BPG0003 judge convolutions as Dense layers; BPG0007: positions no window or step reaches.
        { "BPG0001", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Conv2D(4, 3, Activation.Tanh, [|Init = Init.HeUniform|])] [Dense(1)] public partial class Net { }",
            "Layer 0 (Conv2D, 4 filters) has activation Tanh but Init.HeUniform" },
        { "BPG0002", "[Network(Loss.MeanSquaredError)] [Input(2, 16)] [Conv1D(1, 3, Activation.ReLU, [|Init = Init.XavierUniform|])] [Dense(1)] public partial class Net { }",
            "Layer 0 (Conv1D, 1 filter) has activation ReLU but Init.XavierUniform" },
        { "BPG0003", "[Network(Loss.MeanSquaredError)] [Input(2, 16)] [Conv1D(4, 3, Activation.ReLU, [|Init = Init.Zeros|])] [Dense(1)] public partial class Net { }",
            "Layer 0 (Conv1D, 4 filters) has Init.Zeros" },
        // BPG0006 (output width): a softmax over one unit.
        { "BPG0006", "[Network(Loss.CrossEntropy)] [Input(2)] [Dense(4, Activation.ReLU)] [Dense([|1|], Activation.Softmax)] public partial class Net { }",
            "The output layer (layer 1, Dense, 1 unit) has one unit: Loss.CrossEntropy needs two or more classes, and a softmax over one unit is always 1, so nothing is learned; use one unit per class (at least 2), or for a yes/no target one Sigmoid unit with Loss.BinaryCrossEntropy" },
        // Convolutions: the initializer rules judge them as Dense layers (their effective activation reaches past pooling).
        { "BPG0001", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Conv2D(4, 3, Activation.Tanh, [|Init = Init.HeUniform|])] [Dense(1)] public partial class Net { }",
            "Layer 0 (Conv2D, 4 filters) has activation Tanh but Init.HeUniform, which is meant for ReLU layers: its doubled variance drives Tanh units into saturation, where their gradient vanishes; use Init.XavierUniform" },
        { "BPG0002", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Conv2D(4, 3, [|Init = Init.XavierUniform|])] [MaxPool2D(2)] [Activation(Activation.ReLU)] [Dense(1)] public partial class Net { }",
            "Layer 0 (Conv2D, 4 filters) has activation ReLU but Init.XavierUniform: ReLU zeroes about half its inputs" },
        { "BPG0002", "[Network(Loss.MeanSquaredError)] [Input(3, 16)] [Conv1D(1, 3, Activation.LeakyReLU, [|Init = Init.LeCunNormal|])] [Dense(1)] public partial class Net { }",
            "Layer 0 (Conv1D, 1 filter) has activation LeakyReLU but Init.LeCunNormal" },
        { "BPG0003", "[Network(Loss.MeanSquaredError)] [Input(3, 16)] [Conv1D(4, 3, Activation.ReLU, [|Init = Init.Zeros|])] [Dense(1)] public partial class Net { }",
            "Layer 0 (Conv1D, 4 filters) has Init.Zeros: all its units start identical and receive the same gradient, so the layer never breaks symmetry, and no gradient reaches the layers below it on the first step; use Init.HeUniform or Init.Auto" },
        // BPG0005 counts saturating convolutions; pooling between them neither counts nor breaks the run.
        { "BPG0005", "[Network(Loss.MeanSquaredError)] [Input(1, 32)] [Conv1D(4, 3, Activation.Tanh)] [Conv1D(4, 3, Activation.Tanh)] [MaxPool1D(2)] [Conv1D(4, 3, Activation.Tanh)] [Conv1D(4, 3, [|Activation.Tanh|])] [Dense(1)] public partial class Net { }",
            "Layer 4 (Conv1D, 4 filters) makes 4 Tanh hidden layers in a row (layers 0 to 4) with no [BatchNorm] between them" },
        { "BPG0005", "[Network(Loss.MeanSquaredError)] [Input(1, 64)] [Conv1D(4, 3, Activation.Sigmoid)] [Conv1D(4, 3, Activation.Sigmoid)] [Conv1D(4, 3, Activation.Sigmoid)] [Conv1D(4, 3)] [MaxPool1D(2)] [Activation([|Activation.Sigmoid|])] [Dense(1)] public partial class Net { }",
            "Layer 3 (Conv1D, 4 filters) makes 4 Sigmoid hidden layers in a row (layers 0 to 3)" },
        { "BPG0005", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Conv2D(4, 3, Activation.Tanh)] [Conv2D(4, 3, Activation.Tanh)] [GlobalAveragePool] [Dense(8, Activation.Tanh)] [Dense(8, [|Activation.Sigmoid|])] [Dense(1)] public partial class Net { }",
            "Layer 4 (Dense, 8 units) makes 4 Sigmoid/Tanh hidden layers in a row (layers 0 to 4)" },
        // BPG0007: rows or columns no output reads. Pooling: on the window size, with the windows that would divide.
        { "BPG0007", "[Network(Loss.MeanSquaredError)] [Input(1, 28, 28)] [Conv2D(8, 3, Activation.ReLU)] [MaxPool2D([|3|])] [Dense(1)] public partial class Net { }",
            "Layer 1 (MaxPool2D, window 3) on 8×26×26 input never reads the last 2 rows and columns: 26 rows and columns are not a multiple of the window 3, so the output is 8×8×8; use a window that divides 26 (2 or 13), or make what reaches it a multiple of 3 (e.g. with the Padding of the convolution before it)" },
        { "BPG0007", "[Network(Loss.MeanSquaredError)] [Input(2, 30)] [AvgPool1D([|4|])] [Dense(1)] public partial class Net { }",
            "Layer 0 (AvgPool1D, window 4) on 2×30 input never reads the last 2 positions: 30 positions are not a multiple of the window 4, so the output is 2×7; use a window that divides 30 (2, 3, 5, 6, 10 or 15), or make what reaches it a multiple of 4" },
        { "BPG0007", "[Network(Loss.MeanSquaredError)] [Input(2, 120)] [MaxPool1D([|7|])] [Dense(1)] public partial class Net { }",
            "Layer 0 (MaxPool1D, window 7) on 2×120 input never reads the last position: 120 positions are not a multiple of the window 7, so the output is 2×17; use a window that divides 120 (2, 3, 4, 5, 6, 8, ...), or make what reaches it a multiple of 7" },
        { "BPG0007", "[Network(Loss.MeanSquaredError)] [Input(1, 7, 8)] [MaxPool2D([|2|])] [Dense(1)] public partial class Net { }",
            "Layer 0 (MaxPool2D, window 2) on 1×7×8 input never reads the last row: 7 rows are not a multiple of the window 2, so the output is 1×3×4; no window from 2 to 6 divides 7 and 8; make what reaches it a multiple of 2" },
        // Convolutions: on Stride (or Dilation), with the padding and the stride that read everything.
        { "BPG0007", "[Network(Loss.MeanSquaredError)] [Input(1, 28, 28)] [Conv2D(8, 3, Activation.ReLU, [|Stride = 2|])] [Dense(1)] public partial class Net { }",
            "Layer 0 (Conv2D, 8 filters of 3×3, stride 2) on 1×28×28 input never reads the last row and column: with padding 0 its 13 windows at stride 2 cover only the first 27 of the 28 rows and columns (output 8×13×13); use Padding = 1 (output 8×14×14) or Stride = 1 (output 8×26×26)" },
        { "BPG0007", "[Network(Loss.MeanSquaredError)] [Input(1, 9, 10)] [Conv2D(2, 3, [|Stride = 2|])] [Dense(1)] public partial class Net { }",
            "Layer 0 (Conv2D, 2 filters of 3×3, stride 2) on 1×9×10 input never reads the last column: with padding 0 its 4 windows at stride 2 cover only the first 9 of the 10 columns (output 2×4×4); use Padding = 1 (output 2×5×5) or Stride = 1 (output 2×7×8)" },
        { "BPG0007", "[Network(Loss.MeanSquaredError)] [Input(1, 20)] [Conv1D(8, 4, [|Stride = 3|], Padding = 0)] [Dense(1)] public partial class Net { }",
            "Layer 0 (Conv1D, 8 filters of 4, stride 3) on 1×20 input never reads the last position: with padding 0 its 6 windows at stride 3 cover only the first 19 of the 20 positions (output 8×6); use Padding = 1 (output 8×7) or Stride = 2 (output 8×9)" },
        { "BPG0007", "[Network(Loss.MeanSquaredError)] [Input(4, 16)] [Conv1D(8, 1, [|Stride = 2|])] [Dense(1)] public partial class Net { }",
            "Layer 0 (Conv1D, 8 filters of 1, stride 2) on 4×16 input never reads 8 of the 16 positions: each window reads 1 tap at stride 2, so 8 of the 16 positions fall between windows (output 8×8); use Stride = 1 (output 8×16)" },
        { "BPG0007", "[Network(Loss.MeanSquaredError)] [Input(1, 5)] [Conv1D(2, 2, [|Dilation = 4|])] [Dense(1)] public partial class Net { }",
            "Layer 0 (Conv1D, 2 filters of 2, dilation 4) on 1×5 input never reads 3 of the 5 positions: each window reads 2 taps 4 apart at stride 1, so 3 of the 5 positions fall between windows (output 2×1); use a smaller Dilation" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rule_fires_once_at_the_marked_span_with_a_message_naming_the_layer(string id, string markup, string messagePart)
    {
        var (source, spans) = Harness.Markup(Harness.Preamble + markup);
        var diagnostics = Harness.Analyze(Harness.Compilation(source));

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.DefaultSeverity);
        Assert.Equal(spans.Single(), diagnostic.Location.SourceSpan);
        Assert.Contains(messagePart, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.EndsWith($"docs/diagnostics/{id}.md", diagnostic.Descriptor.HelpLinkUri);
    }

    public static TheoryData<string> Good => new()
    {
        // Init.Auto (written or left out) resolves to the fitting initializer on every activation.
        "[Network(Loss.CrossEntropy)] [Input(4)] [Dense(8, Activation.ReLU, Init = Init.Auto)] [Dense(8, Activation.LeakyReLU)] [Dense(8, Activation.Tanh, Init = Init.Auto)] [Dense(8, Activation.Sigmoid)] [Dense(8, Init = Init.Auto)] [Dense(3, Activation.Softmax, Init = Init.Auto)] public partial class Net { }",
        // Fitting explicit initializers; LeCun on saturating layers is fine.
        "[Network(Loss.MeanSquaredError)] [Input(4)] [Dense(8, Activation.ReLU, Init = Init.HeNormal)] [Dense(8, Activation.LeakyReLU, Init = Init.HeUniform)] [Dense(8, Activation.Tanh, Init = Init.LeCunNormal)] [Dense(1, Activation.Sigmoid, Init = Init.XavierNormal)] public partial class Net { }",
        // Zeros in a one-layer network (linear or logistic regression) is harmless.
        "[Network(Loss.BinaryCrossEntropy)] [Input(4)] [Dense(1, Activation.Sigmoid, Init = Init.Zeros)] public partial class Net { }",
        // Every fitting loss/output pair.
        "[Network(Loss.CrossEntropy)] [Input(2)] [Dense(2, Activation.Softmax)] public partial class Net { }",
        "[Network(Loss.BinaryCrossEntropy)] [Input(2)] [Dense(1, Activation.Sigmoid)] public partial class Net { }",
        "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1, Activation.Sigmoid)] public partial class Net { }",
        "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1, Activation.Tanh)] public partial class Net { }",
        "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1, Activation.ReLU)] public partial class Net { }",
        "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1, Activation.LeakyReLU)] public partial class Net { }",
        "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public partial class Net { }",
        "[Network(Loss.Hinge)] [Input(2)] [Dense(1)] public partial class Net { }",
        // Losses on logits: a Linear output under CrossEntropy (torch.nn.CrossEntropyLoss) or BinaryCrossEntropy (BCEWithLogitsLoss).
        "[Network(Loss.CrossEntropy)] [Input(2)] [Dense(4, Activation.ReLU)] [Dense(3)] public partial class Net { }",
        "[Network(Loss.BinaryCrossEntropy)] [Input(2)] [Dense(4, Activation.ReLU)] [Dense(1)] public partial class Net { }",
        "[Network(Loss.CrossEntropy)] [Input(2)] [Dense(4, Activation.ReLU)] [Dense(3)] [Activation(Activation.Linear)] public partial class Net { }",
        "[Network(Loss.BinaryCrossEntropy)] [Input(2)] [Dense(8, Activation.ReLU)] [BatchNorm] [Dense(2)] public partial class Net { }",
        "[Network(Loss.Hinge)] [Input(2)] [Dense(1, Activation.Tanh)] public partial class Net { }",
        "[Network(Loss.Hinge)] [Input(2)] [Dense(1, Activation.LeakyReLU)] public partial class Net { }",
        // Three saturating hidden layers, or four broken up by a ReLU, or the fourth being the output layer.
        "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.Tanh)] [Dense(8, Activation.Sigmoid)] [Dense(8, Activation.Tanh)] [Dense(1)] public partial class Net { }",
        "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.Tanh)] [Dense(8, Activation.Tanh)] [Dense(8, Activation.ReLU)] [Dense(8, Activation.Tanh)] [Dense(8, Activation.Tanh)] [Dense(1)] public partial class Net { }",
        "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.Tanh)] [Dense(8, Activation.Tanh)] [Dense(8, Activation.Tanh)] [Dense(1, Activation.Tanh)] public partial class Net { }",
        // With the other layer kinds: He through BatchNorm to a ReLU [Activation]; Xavier through Dropout to Tanh; the usual stacks.
        "[Network(Loss.CrossEntropy)] [Input(8)] [Dense(16, Init = Init.HeUniform)] [BatchNorm] [Activation(Activation.ReLU)] [Dropout(0.5)] [Dense(16, Init = Init.XavierNormal)] [Dropout(0.1)] [Activation(Activation.Tanh)] [Dense(3, Activation.Softmax)] public partial class Net { }",
        "[Network(Loss.CrossEntropy)] [Input(8)] [Dense(16, Activation.ReLU)] [Dropout(0.5)] [Dense(16, Activation.ReLU)] [Dropout(0.5)] [Dense(3)] [Activation(Activation.Softmax)] public partial class Net { }",
        // Saturating layers with a BatchNorm between every pair.
        "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.Tanh)] [BatchNorm] [Dense(8)] [BatchNorm] [Activation(Activation.Tanh)] [Dense(8, Activation.Sigmoid)] [BatchNorm] [Dense(8, Activation.Tanh)] [BatchNorm] [Dense(8, Activation.Tanh)] [Dense(1)] public partial class Net { }",
        "[Network(Loss.BinaryCrossEntropy)] [Input(2)] [Dense(8, Activation.ReLU)] [BatchNorm] [Dense(2, Activation.Sigmoid)] public partial class Net { }",
        // The issue's two networks.
        ConvParserTests.FashionCnn + " public partial class Net { }",
        ConvParserTests.SensorNet + " public partial class Net { }",
        // Convolutions with fitting initializers; strides whose padding reads every position; pooling windows that divide.
        "[Network(Loss.CrossEntropy)] [Input(1, 28, 28)] [Conv2D(8, 3, Activation.ReLU, Stride = 2, Padding = 1, Init = Init.HeNormal)] [AvgPool2D(2)] [Conv2D(8, 1, Activation.Tanh, Init = Init.XavierNormal)] [Dense(10, Activation.Softmax)] public partial class Net { }",
        "[Network(Loss.MeanSquaredError)] [Input(2, 10, 10)] [Conv2D(4, 3, Dilation = 2)] [BatchNorm] [Activation(Activation.ReLU)] [AvgPool2D(2)] [Dropout(0.25)] [Conv2D(3, 1)] [GlobalAveragePool] [Dense(2)] public partial class Net { }",
        "[Network(Loss.MeanSquaredError)] [Input(1, 33)] [Conv1D(4, 3, Activation.ReLU, Stride = 2)] [MaxPool1D(4)] [Dense(1)] public partial class Net { }",
        // Stride = kernel, windows side by side; a dilation whose taps, shifted by every output, reach every position.
        "[Network(Loss.MeanSquaredError)] [Input(3, 12, 12)] [Conv2D(4, 2, Activation.ReLU, Stride = 2)] [MaxPool2D(3)] [Dense(1)] public partial class Net { }",
        "[Network(Loss.MeanSquaredError)] [Input(1, 9)] [Conv1D(2, 3, Activation.ReLU, Dilation = 3)] [Dense(1)] public partial class Net { }",
        // Three saturating convolutions in a row, or four with a BatchNorm between.
        "[Network(Loss.MeanSquaredError)] [Input(1, 32)] [Conv1D(4, 3, Activation.Tanh)] [Conv1D(4, 3, Activation.Tanh)] [MaxPool1D(2)] [Conv1D(4, 3, Activation.Tanh)] [Dense(1)] public partial class Net { }",
        "[Network(Loss.MeanSquaredError)] [Input(1, 32)] [Conv1D(4, 3, Activation.Tanh)] [Conv1D(4, 3, Activation.Tanh)] [BatchNorm] [MaxPool1D(2)] [Conv1D(4, 3, Activation.Tanh)] [Conv1D(4, 3, Activation.Tanh)] [Dense(1)] public partial class Net { }",
        "[Network(Loss.MeanSquaredError)] [Input(1, 9, 9)] [Conv2D(2, 3, Stride = 2, Padding = 1)] [Conv2D(2, 1, Init = Init.XavierUniform)] [GlobalAveragePool] [Dense(1)] public partial class Net { }",
    };

    [Theory]
    [MemberData(nameof(Good))]
    public void Good_declarations_get_no_diagnostics(string declaration)
    {
        Assert.Empty(Harness.Analyze(Harness.Compilation(Harness.Preamble + declaration)));
    }

    [Fact]
    public void Initializer_rules_match_the_activation_table_for_every_pair()
    {
        string[] hidden = { "Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU" };
        string[] inits = { "Auto", "XavierUniform", "XavierNormal", "HeUniform", "HeNormal", "LeCunNormal", "Zeros" };
        foreach (string activation in hidden)
        {
            foreach (string init in inits)
            {
                bool relu = activation is "ReLU" or "LeakyReLU";
                string? expected = init switch
                {
                    "HeUniform" or "HeNormal" when !relu => "BPG0001",
                    "XavierUniform" or "XavierNormal" or "LeCunNormal" when relu => "BPG0002",
                    "Zeros" => "BPG0003",
                    _ => null,
                };
                string source = Harness.Preamble +
                    $"[Network(Loss.MeanSquaredError)] [Input(3)] [Dense(5, Activation.{activation}, Init = Init.{init})] [Dense(1)] public partial class Net {{ }}";
                var ids = Harness.Analyze(Harness.Compilation(source)).Select(d => d.Id).ToArray();
                Assert.True(expected is null ? ids.Length == 0 : ids.SequenceEqual(new[] { expected }),
                    $"{activation} + Init.{init}: expected {expected ?? "nothing"}, got [{string.Join(", ", ids)}]");
            }
        }
    }

    [Theory]
    [InlineData("[Input(3, 16)] [Conv1D(5, 3, Activation.{0}, Init = Init.{1})] [Dense(1)]", "Layer 0 (Conv1D, 5 filters)")]
    [InlineData("[Input(2, 8, 8)] [Conv2D(5, 3, Init = Init.{1})] [MaxPool2D(2)] [Activation(Activation.{0})] [Dense(1)]", "Layer 0 (Conv2D, 5 filters)")]
    public void Initializer_rules_judge_convolutions_by_the_same_table_as_Dense_layers(string layers, string subject)
    {
        string[] hidden = { "Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU" };
        string[] inits = { "Auto", "XavierUniform", "XavierNormal", "HeUniform", "HeNormal", "LeCunNormal", "Zeros" };
        foreach (string activation in hidden)
        {
            foreach (string init in inits)
            {
                string dense = Harness.Preamble +
                    $"[Network(Loss.MeanSquaredError)] [Input(3)] [Dense(5, Activation.{activation}, Init = Init.{init})] [Dense(1)] public partial class Net {{ }}";
                string convolution = Harness.Preamble +
                    $"[Network(Loss.MeanSquaredError)] {string.Format(CultureInfo.InvariantCulture, layers, activation, init)} public partial class Net {{ }}";
                var expected = Harness.Analyze(Harness.Compilation(dense)).Select(d => d.Id).ToArray();
                var actual = Harness.Analyze(Harness.Compilation(convolution));
                Assert.True(expected.SequenceEqual(actual.Select(d => d.Id)),
                    $"{activation} + Init.{init}: Dense gets [{string.Join(", ", expected)}], the convolution [{string.Join(", ", actual.Select(d => d.Id))}]");
                Assert.All(actual, d => Assert.StartsWith(subject, d.GetMessage(CultureInfo.InvariantCulture)));
            }
        }
    }

    [Fact]
    public void BPG0007_is_silenced_by_its_pragma()
    {
        string network = "[Network(Loss.MeanSquaredError)] [Input(4, 16)] [Conv1D(8, 1, Stride = 2)] [Dense(1)] public partial class Net { }";
        Assert.Equal(new[] { "BPG0007" }, Harness.Analyze(Harness.Compilation(Harness.Preamble + network)).Select(d => d.Id));
        Assert.Empty(Harness.Analyze(Harness.Compilation(Harness.Preamble + "#pragma warning disable BPG0007\n" + network + "\n#pragma warning restore BPG0007\n")));
    }

    [Theory]
    [InlineData("[Network(Loss.CrossEntropy)] [Input(2)] [Dense(4, Activation.ReLU)] [Dense(3)] [Dropout(0.2)] public partial class Net { }",
        "The output layer (layer 1, Dense, 3 units) has activation Linear but the loss is CrossEntropy: cross-entropy on a Linear output reads the outputs as logits, and the last layer (layer 2, Dropout) changes them after the Linear layer; make the Linear layer the last one; use Loss.MeanSquaredError")]
    [InlineData("[Network(Loss.BinaryCrossEntropy)] [Input(2)] [Dense(1)] [BatchNorm] public partial class Net { }",
        "binary cross-entropy on a Linear output reads the outputs as logits, and the last layer (layer 1, BatchNorm) changes them")]
    public void A_Linear_output_is_the_logits_only_when_it_is_the_last_layer(string declaration, string messagePart)
    {
        // The loss on logits reads the Linear layer's z; a [Dropout] or [BatchNorm] after it (which BPG0006 reports
        // too) changes the outputs, so BPG0004 still fires.
        var diagnostics = Harness.Analyze(Harness.Compilation(Harness.Preamble + declaration));
        Assert.Equal(new[] { "BPG0004", "BPG0006" }, diagnostics.Select(d => d.Id));
        Assert.Contains(messagePart, diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void The_diagnostics_page_example_shows_what_the_analyzers_report()
    {
        var (source, spans) = Harness.Markup(Harness.Preamble + """
            [Network([|Loss.MeanSquaredError|])]
            [Input(64)]
            [Dense(32, Activation.ReLU, [|Init = Init.XavierUniform|])]
            [Dense(32, Activation.Tanh, [|Init = Init.Zeros|])]
            [Dense(10, Activation.Softmax)]
            public partial class DigitsNet { }
            """);
        var diagnostics = Harness.Analyze(Harness.Compilation(source));
        Assert.Equal(new[] { "BPG0004", "BPG0002", "BPG0003" }, diagnostics.Select(d => d.Id));
        Assert.Equal(spans, diagnostics.Select(d => d.Location.SourceSpan));

        string readme = Harness.Squash(File.ReadAllText(Path.Combine(DeclarationDiagnosticTests.RepositoryRoot(), "docs", "diagnostics", "README.md")));
        foreach (Diagnostic diagnostic in diagnostics)
        {
            string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
            // The README wraps the text and may cut the last one short with "...".
            string shown = message.Length > 120 && diagnostic.Id == "BPG0003" ? message.Substring(0, 120) : message;
            Assert.Contains($"{diagnostic.Id}: {shown}", readme);
        }
    }

    [Fact]
    public void Invalid_declarations_get_only_their_error()
    {
        // A BPG01nn error stops the warnings: the generator will not build the network anyway.
        var diagnostics = Harness.Analyze(Harness.Compilation(Harness.Preamble +
            "[Network(Loss.MeanSquaredError)] [Input(0)] [Dense(8, Activation.ReLU, Init = Init.Zeros)] [Dense(3, Activation.Softmax)] public partial class Net { }"));
        Assert.Equal(new[] { "BPG0103" }, diagnostics.Select(d => d.Id));
    }

    [Fact]
    public void Every_warning_has_a_help_page_and_a_release_entry()
    {
        string root = DeclarationDiagnosticTests.RepositoryRoot();
        string unshipped = File.ReadAllText(Path.Combine(root, "generators", "Backprop.Generated.Generators", "AnalyzerReleases.Unshipped.md"));
        foreach (var descriptor in new Diagnostics.NetworkDesignAnalyzer().SupportedDiagnostics)
        {
            string page = Path.Combine(root, "docs", "diagnostics", descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"missing help page {page}");
            string text = File.ReadAllText(page);
            Assert.Contains(descriptor.Id, text);
            Assert.Contains("#pragma warning disable " + descriptor.Id, text);
            Assert.Contains($"dotnet_diagnostic.{descriptor.Id}.severity", text);
            Assert.Contains($"{descriptor.Id} | Backprop.Generated.Design | Warning | {descriptor.Title}", unshipped);
        }
    }

    [Fact]
    public void Every_rule_of_the_release_file_and_the_analyzers_is_listed_in_the_diagnostics_readme()
    {
        string root = DeclarationDiagnosticTests.RepositoryRoot();
        string unshipped = File.ReadAllText(Path.Combine(root, "generators", "Backprop.Generated.Generators", "AnalyzerReleases.Unshipped.md"));
        string readme = File.ReadAllText(Path.Combine(root, "docs", "diagnostics", "README.md"));
        var ids = System.Text.RegularExpressions.Regex.Matches(unshipped, @"^(BPG\d{4}) \|", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value)
            .Concat(Harness.AllAnalyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id))
            .Distinct()
            .ToList();
        Assert.True(ids.Count >= 30, string.Join(", ", ids));
        foreach (string id in ids)
        {
            Assert.Contains($"| [{id}]({id}.md) |", readme);
            Assert.True(File.Exists(Path.Combine(root, "docs", "diagnostics", id + ".md")), $"no help page for {id}");
        }
    }

    [Fact]
    public void The_BPG0007_page_shows_what_the_analyzer_reports_and_its_fixed_example_is_clean()
    {
        string page = File.ReadAllText(Path.Combine(DeclarationDiagnosticTests.RepositoryRoot(), "docs", "diagnostics", "BPG0007.md"));
        string[] blocks = System.Text.RegularExpressions.Regex.Matches(page, "```csharp\n(.*?)```", System.Text.RegularExpressions.RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value).ToArray();
        var diagnostics = Harness.Analyze(Harness.Compilation(blocks[0]));
        Assert.Equal(new[] { "BPG0007", "BPG0007" }, diagnostics.Select(d => d.Id));
        string squashed = Harness.Squash(page);
        foreach (Diagnostic diagnostic in diagnostics)
        {
            Assert.Contains($"warning BPG0007: {diagnostic.GetMessage(CultureInfo.InvariantCulture)}", squashed);
        }
        Assert.Empty(Harness.Analyze(Harness.Compilation(blocks[1])));
    }
}
