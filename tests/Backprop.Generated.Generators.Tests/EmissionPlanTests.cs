using Backprop.Generated.Generators.Emitting;
using Backprop.Generated.Generators.Model;
using Backprop.Generated.Generators.Parsing;
using Microsoft.CodeAnalysis;

namespace Backprop.Generated.Generators.Tests;

/// <summary>Each decision of the emission plan, tested as data: no text is emitted here.</summary>
public class EmissionPlanTests
{
    private static EmissionPlan Plan(string layers, string loss = "Loss.CrossEntropy", int inputs = 64)
    {
        var compilation = Harness.Compilation(Harness.Preamble + $"[Network({loss})] [Input({inputs})] {layers} public partial class Net {{ }}");
        INamedTypeSymbol type = compilation.GetTypeByMetadataName("Net")!;
        NetworkModel model = NetworkParser.Parse(type, CancellationToken.None) ?? throw new InvalidOperationException("no model");
        return EmissionPlan.For(model);
    }

    [Fact]
    public void Small_dense_networks_are_unrolled_and_have_no_batch_path()
    {
        EmissionPlan plan = Plan("[Dense(4, Activation.Tanh)] [Dense(1, Activation.Sigmoid)]", "Loss.MeanSquaredError", inputs: 2);
        Assert.Equal(NetworkPath.Unrolled, plan.Path);
        Assert.Equal(new[] { LayerForm.Unrolled, LayerForm.Unrolled }, plan.Forms);
        Assert.False(plan.UsesBatchPath);
        Assert.False(plan.FusedOutputGradient); // MSE on a sigmoid goes through ∂L/∂y
        Assert.Equal(0, plan.TrainingBuffer.Size); // every value in locals
        Assert.Equal(0, plan.BatchBuffer.Size);
    }

    [Fact]
    public void The_unroll_threshold_is_64_weights()
    {
        EmissionPlan plan = Plan("[Dense(8, Activation.ReLU)] [Dense(9, Activation.Tanh)] [Dense(1)]", "Loss.MeanSquaredError", inputs: 8);
        Assert.Equal(new[] { LayerForm.Unrolled, LayerForm.Looped, LayerForm.Unrolled }, plan.Forms); // 64, 72, 9 weights
        Assert.Equal(NetworkPath.Batch, plan.Path);
        Assert.True(plan.HiddenOutputInSpan(0)); // the looped layer 1 reads layer 0's outputs from a span
        Assert.True(plan.HiddenOutputInSpan(1));
    }

    [Fact]
    public void Digits_takes_the_batch_path_with_the_buffers_the_generated_code_slices()
    {
        EmissionPlan plan = Plan("[Dense(32, Activation.ReLU)] [Dense(10, Activation.Softmax)]");
        Assert.Equal(NetworkPath.Batch, plan.Path);
        Assert.Contains("more than 64 weights", plan.PathReason, StringComparison.Ordinal);
        Assert.True(plan.FusedOutputGradient); // cross-entropy on softmax: ∂L/∂z = a·Σt − t
        Assert.Equal(32, plan.ForwardScratch.Size);
        Assert.Equal((0, 32), plan.ForwardScratch["a0"]);
        Assert.Equal(126, plan.TrainingBuffer.Size);
        Assert.False(plan.TrainingBuffer.Contains("dy"));
        // xT, h0T, h0, zT, d0T, d1T of 32 columns, then z1, a1, dz1
        Assert.Equal(64 * 32 + 32 * 32 * 2 + 10 * 32 + 32 * 32 + 10 * 32 + 3 * 10, plan.BatchBuffer.Size);
        Assert.Equal(64 * 32 + 32 * 32 + 10 * 32, plan.ForwardChunkBuffer.Size);
        Assert.Equal(new[] { "xT", "h0T", "zT" }, plan.ForwardChunkBuffer.Slices.Select(s => s.Name));
    }

    [Theory]
    [InlineData("Loss.CrossEntropy", "Activation.Softmax", true)]
    [InlineData("Loss.BinaryCrossEntropy", "Activation.Sigmoid", true)]
    [InlineData("Loss.MeanSquaredError", "Activation.Softmax", false)]
    [InlineData("Loss.CrossEntropy", "Activation.Sigmoid", false)]
    [InlineData("Loss.Hinge", "Activation.Linear", false)]
    [InlineData("Loss.MeanSquaredError", "Activation.Linear", false)]
    [InlineData("Loss.CrossEntropy", "Activation.Linear", true)]
    [InlineData("Loss.BinaryCrossEntropy", "Activation.Linear", true)]
    public void The_gradient_is_taken_at_the_logits_only_where_it_has_a_closed_form(string loss, string activation, bool fused)
    {
        EmissionPlan plan = Plan($"[Dense(40, Activation.ReLU)] [Dense(3, {activation})]", loss);
        Assert.Equal(fused, plan.FusedOutputGradient);
        Assert.Equal(!fused, plan.BatchBuffer.Contains("dy"));
        // The outputs are logits exactly for the two cross-entropies on a Linear output (the loss takes softmax or σ itself).
        Assert.Equal(fused && activation == "Activation.Linear", plan.OutputIsLogits);
    }

    [Theory]
    [InlineData("[Dense(8, Activation.ReLU)] [Dense(3)]", true)]
    [InlineData("[Dense(8, Activation.ReLU)] [BatchNorm] [Dense(3)]", true)]
    [InlineData("[Dense(8)] [Activation(Activation.Linear)]", true)]
    [InlineData("[Dense(8, Activation.ReLU)] [Dense(3)] [Dropout(0.2)]", false)] // dropout changes the logits: the loss is taken on y
    [InlineData("[Dense(8, Activation.ReLU)] [Dense(3)] [BatchNorm]", false)]
    public void A_Linear_output_is_the_logits_only_when_it_is_the_last_layer(string layers, bool logits)
    {
        EmissionPlan plan = Plan(layers, "Loss.CrossEntropy");
        Assert.Equal(logits, plan.OutputIsLogits);
        Assert.Equal(logits, plan.FusedOutputGradient);
    }

    [Theory]
    [InlineData("Loss.CrossEntropy", "Activation.Softmax", 4, true)]       // the softmax is a span kernel
    [InlineData("Loss.MeanSquaredError", "Activation.Softmax", 4, true)]
    [InlineData("Loss.BinaryCrossEntropy", "Activation.Softmax", 4, true)]
    [InlineData("Loss.CrossEntropy", "Activation.Linear", 4, true)]        // the loss takes softmax(z) over a span
    [InlineData("Loss.BinaryCrossEntropy", "Activation.Linear", 4, false)] // elementwise: locals serve
    [InlineData("Loss.BinaryCrossEntropy", "Activation.Sigmoid", 4, false)]
    [InlineData("Loss.CrossEntropy", "Activation.Softmax", 40, false)]     // a looped output layer has its spans anyway
    public void An_unrolled_output_layer_whose_softmax_is_taken_keeps_its_vectors_in_the_training_buffer(string loss, string activation, int hidden, bool inBuffers)
    {
        EmissionPlan plan = Plan($"[Dense({hidden}, Activation.ReLU)] [Dense(3, {activation})]", loss, inputs: 3);
        Assert.Equal(inBuffers, plan.OutputSoftmaxInBuffers);
        if (inBuffers)
        {
            Assert.Equal(LayerForm.Unrolled, plan.Forms[1]);
            Assert.True(plan.TrainingBuffer.Contains("z1") && plan.TrainingBuffer.Contains("a1") && plan.TrainingBuffer.Contains("dz1"));
        }
        else if (plan.Forms[1] == LayerForm.Unrolled)
        {
            Assert.Equal(0, plan.TrainingBuffer.Size); // every value in locals
        }
    }

    [Theory]
    [InlineData("[Dense(8)] [BatchNorm] [Activation(Activation.ReLU)] [Dense(3, Activation.Softmax)]")]
    [InlineData("[Dense(8, Activation.ReLU)] [Dropout(0.5)] [Dense(3, Activation.Softmax)]")]
    [InlineData("[Dense(200, Activation.ReLU)] [Activation(Activation.Tanh)] [Dense(3, Activation.Softmax)]")]
    public void Batch_norm_dropout_and_activation_layers_go_layer_by_layer(string layers)
    {
        EmissionPlan plan = Plan(layers);
        Assert.Equal(NetworkPath.LayerByLayer, plan.Path);
        Assert.False(plan.UsesBatchPath);
        Assert.Equal(0, plan.BatchBuffer.Size);
        Assert.DoesNotContain(plan.ForwardScratch.Slices, s => s.Name.StartsWith("a", StringComparison.Ordinal));
    }

    [Fact]
    public void Buffer_slices_follow_one_another()
    {
        var buffer = new BufferPlan();
        buffer.Reserve("x", 5);
        buffer.Reserve("y", 3);
        Assert.Equal(8, buffer.Size);
        Assert.Equal(new[] { ("x", 0, 5), ("y", 5, 3) }, buffer.Slices);
    }

    private static EmissionPlan ConvPlan(string declaration)
    {
        var compilation = Harness.Compilation(Harness.Preamble + declaration + " public partial class Net { }");
        NetworkModel model = NetworkParser.Parse(compilation.GetTypeByMetadataName("Net")!, CancellationToken.None) ?? throw new InvalidOperationException("no model");
        return EmissionPlan.For(model);
    }

    [Fact]
    public void Convolutional_networks_go_layer_by_layer_in_blocks_unless_they_have_batch_norm_dropout_or_activation_layers()
    {
        EmissionPlan fashion = ConvPlan(ConvParserTests.FashionCnn);
        Assert.Equal(NetworkPath.LayerByLayer, fashion.Path);
        Assert.Contains("convolution or pooling", fashion.PathReason);
        Assert.True(fashion.ConvolutionChunks);
        Assert.False(fashion.UsesBatchPath);
        Assert.True(fashion.FusedOutputGradient); // cross-entropy on the Dense softmax output
        // per sample: every layer's output and its gradient (12544 + 3136 + 6272 + 1568 + 10) × 2, and the logits
        Assert.Equal(2 * (12544 + 3136 + 6272 + 1568 + 10) + 10, fashion.TrainingFloatsPerSample);
        Assert.Equal(0, fashion.TrainingFixedFloats);
        Assert.Equal(12544 + 3136 + 6272 + 1568, fashion.ForwardScratch.Size); // hidden outputs of one sample

        EmissionPlan withBatchNorm = ConvPlan("[Network(Loss.MeanSquaredError)] [Input(2, 8, 8)] [Conv2D(4, 3, Padding = 1)] [BatchNorm] [Activation(Activation.ReLU)] [MaxPool2D(2)] [Dropout(0.25)] [Dense(3)]");
        Assert.False(withBatchNorm.ConvolutionChunks);
        // outputs and gradients 2 × (256 × 3 + 64 + 3), x̂ 256, dropout mask 64; 1/σ per channel: 4
        Assert.Equal(2 * (256 * 3 + 64 + 64 + 3) + 256 + 64, withBatchNorm.TrainingFloatsPerSample);
        Assert.Equal(4, withBatchNorm.TrainingFixedFloats);
    }
}
