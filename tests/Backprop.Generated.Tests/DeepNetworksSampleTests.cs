using System.Xml.Linq;
using Backprop.Generated.Tests.Weights;
using DeepNetworks;
using Digits;

namespace Backprop.Generated.Tests;

/// <summary>
/// The classic experiments of samples/DeepNetworks, each qualitative result asserted as a number measured with seed 0
/// on a budget of 5 epochs (the sample runs 30; docs/deep-networks.md has both). The measured values are in the
/// comments; the bounds leave room for other CPUs' rounding, not for a different outcome.
/// </summary>
public class DeepNetworksSampleTests
{
    private static readonly Lazy<DigitsData> Data = new(() => DigitsData.Load());

    /// <summary>Each experiment's default budget cut to 5 epochs.</summary>
    private static Budget Short(int experiment) => Experiments.DefaultBudget(experiment) with { Epochs = 5 };

    private static readonly Lazy<TrainedNetwork[]> Glorot = new(() => Experiments.GlorotBengio(Data.Value, Short(1)));
    private static readonly Lazy<TrainedNetwork[]> He = new(() => Experiments.He(Data.Value, Short(2)));
    private static readonly Lazy<TrainedNetwork[]> BatchNorm = new(() => Experiments.BatchNorm(Data.Value, Short(3)));
    private static readonly Lazy<TrainedNetwork[]> Exploding = new(() => Experiments.Exploding(Data.Value, Short(4)));

    private static TrainedNetwork Run(Lazy<TrainedNetwork[]> runs, string name) => runs.Value.Single(r => r.Name == name);

    [Fact]
    public void Glorot_Bengio_gradients_vanish_toward_the_input_of_a_sigmoid_stack()
    {
        TrainedNetwork standard = Run(Glorot, "Sigmoid, standard"), xavier = Run(Glorot, "Sigmoid, Xavier");
        Assert.Equal(6, standard.InitialGradientNorms.Length);
        Assert.True(standard.FirstToLastGradientRatio < 1e-3, $"first/last {standard.FirstToLastGradientRatio:G3}"); // 1.0e-4
        Assert.True(xavier.FirstToLastGradientRatio > 5 * standard.FirstToLastGradientRatio, $"Xavier {xavier.FirstToLastGradientRatio:G3}"); // 1.1e-3
        // Each layer toward the input has a smaller gradient than the one above it.
        Assert.All(Enumerable.Range(1, 5), l => Assert.True(standard.InitialGradientNorms[l - 1] < standard.InitialGradientNorms[l]));
        // Neither sigmoid stack learns within the budget: chance is 10 %.
        Assert.InRange(standard.TestAccuracy, 0, 0.15); // 9.72 %
        Assert.InRange(xavier.TestAccuracy, 0, 0.15); // 9.72 %
    }

    [Fact]
    public void Glorot_Bengio_Xavier_keeps_a_tanh_stacks_signal_and_trains_it_faster()
    {
        TrainedNetwork standard = Run(Glorot, "Tanh, standard"), xavier = Run(Glorot, "Tanh, Xavier");
        // Standard weights shrink the activations at every layer (std 0.26 → 0.023 by hidden layer 4); Xavier keeps them (0.41 → 0.24).
        Assert.True(standard.InitialActivity[4].StandardDeviation < standard.InitialActivity[0].StandardDeviation / 5);
        Assert.True(xavier.InitialActivity[4].StandardDeviation > xavier.InitialActivity[0].StandardDeviation / 2);
        // So the first layer's gradient is 17 times larger with Xavier (0.56 against 0.032).
        Assert.True(xavier.InitialGradientNorms[0] > 10 * standard.InitialGradientNorms[0]);
        Assert.True(xavier.TestAccuracy > 0.9, $"Xavier {xavier.TestAccuracy:P2}"); // 94.44 %
        Assert.True(xavier.TestAccuracy > standard.TestAccuracy + 0.3, $"standard {standard.TestAccuracy:P2}"); // 41.67 %
    }

    [Fact]
    public void He_weights_on_tanh_layers_spread_the_signal_more_without_saturating_it_here()
    {
        // The figures docs/diagnostics/BPG0001.md quotes: std 0.48 to 0.54 at every hidden layer (Xavier: 0.24 to 0.41),
        // almost no saturated output at the start (under 0.05 %), and training as well as Xavier's (95.83 % after 5 epochs; Xavier 94.44 %).
        TrainedNetwork he = Run(Glorot, "Tanh, He"), xavier = Run(Glorot, "Tanh, Xavier");
        Assert.All(Enumerable.Range(0, 5), p => Assert.True(he.InitialActivity[p].StandardDeviation > xavier.InitialActivity[p].StandardDeviation));
        Assert.All(Enumerable.Range(0, 5), p => Assert.InRange(he.InitialActivity[p].StandardDeviation, 0.45, 0.6));
        Assert.All(Enumerable.Range(0, 5), p => Assert.InRange(he.Saturated(p, 0), 0, 0.0005)); // under 0.05 %
        Assert.True(he.TestAccuracy > 0.9, $"{he.TestAccuracy:P2}");
    }

    [Fact]
    public void Glorot_Bengio_the_top_sigmoid_layer_saturates_first()
    {
        TrainedNetwork fast = Run(Glorot, "Sigmoid, standard, momentum 0.9, lr ×3");
        // After two epochs hidden layer 4 sits at 0 (mean 0.010, 53 % of its outputs ≤ 0.01); layers 0 to 3 not at all.
        Assert.True(fast.Saturated(4, 2) > 0.4, $"top layer {fast.Saturated(4, 2):P1}");
        Assert.True(fast.Epochs[1].Activity[4].Mean < 0.05, $"top layer mean {fast.Epochs[1].Activity[4].Mean:G3}");
        Assert.All(Enumerable.Range(0, 4), p => Assert.True(fast.Saturated(p, 2) < 0.01, $"layer {p}: {fast.Saturated(p, 2):P1}"));
        Assert.All(Enumerable.Range(0, 5), p => Assert.Equal(0, fast.Saturated(p, 0)));
    }

    [Fact]
    public void He_initialization_keeps_a_deep_relu_stack_alive_and_it_trains()
    {
        TrainedNetwork xavier = Run(He, "ReLU ×20, Xavier normal"), he = Run(He, "ReLU ×20, He normal"), standard = Run(He, "ReLU ×20, standard");
        Assert.Equal(21, he.InitialGradientNorms.Length);
        // The signal through 19 ReLU layers: He keeps it (std 0.70 at the last hidden layer), Xavier halves its variance
        // at every layer (6.8e-4), standard weights leave a sixth (4.3e-9).
        Assert.True(he.InitialActivity[19].StandardDeviation > 0.1);
        Assert.InRange(xavier.InitialActivity[19].StandardDeviation, 1e-4, 1e-2);
        Assert.True(standard.InitialActivity[19].StandardDeviation < 1e-6);
        // The weight gradients shrink with the signal in every layer alike: the first/last ratio stays near 1
        // (1.7, 0.68), but He's gradients are 3,000 times Xavier's and standard's 1e-8.
        Assert.InRange(xavier.FirstToLastGradientRatio, 0.3, 3);
        Assert.InRange(he.FirstToLastGradientRatio, 0.3, 3);
        Assert.True(he.InitialGradientNorms[0] > 1000 * xavier.InitialGradientNorms[0]);
        Assert.True(standard.InitialGradientNorms[0] < 1e-6);
        // Within the budget He trains (62.78 %, loss 0.99), Xavier barely moves (15.83 %, 2.30), standard not at all (10.28 %).
        Assert.True(he.TestAccuracy > 0.5 && he.FinalTrainLoss < 1.5, $"He {he.TestAccuracy:P2}, loss {he.FinalTrainLoss:G4}");
        Assert.True(xavier.TestAccuracy < 0.25 && xavier.FinalTrainLoss > 2.2, $"Xavier {xavier.TestAccuracy:P2}, loss {xavier.FinalTrainLoss:G4}");
        Assert.True(standard.TestAccuracy < 0.15, $"standard {standard.TestAccuracy:P2}");
    }

    [Fact]
    public void Batch_norm_lets_the_sigmoid_stack_train()
    {
        TrainedNetwork plain = Run(BatchNorm, "Sigmoid, standard"), normalized = Run(BatchNorm, "Sigmoid + BatchNorm, standard");
        Assert.True(normalized.FirstToLastGradientRatio > 0.5, $"{normalized.FirstToLastGradientRatio:G3}"); // 0.82, against 1.0e-4
        Assert.True(normalized.TestAccuracy > 0.9, $"{normalized.TestAccuracy:P2}"); // 95.00 %
        Assert.True(plain.TestAccuracy < 0.15, $"{plain.TestAccuracy:P2}"); // 9.72 %
        Assert.Equal(16, normalized.InitialActivity.Length); // 5 × (Dense, BatchNorm, Activation) + the output
    }

    [Fact]
    public void Exploding_gradients_grow_toward_the_input_and_clipping_tames_them()
    {
        TrainedNetwork tanh = Run(Exploding, "Tanh ×10, weights ×3"), tanhClipped = Run(Exploding, "Tanh ×10, weights ×3, clipped");
        TrainedNetwork linear = Run(Exploding, "Linear ×10, weights ×2"), linearClipped = Run(Exploding, "Linear ×10, weights ×2, clipped");
        // Tanh ×3: the first layer's gradient is 9.7 times the last's; unclipped it stays at chance, clipped it learns.
        Assert.True(tanh.FirstToLastGradientRatio > 5, $"{tanh.FirstToLastGradientRatio:G3}");
        Assert.True(tanh.TestAccuracy < 0.15, $"{tanh.TestAccuracy:P2}"); // 10.00 %
        Assert.True(tanhClipped.TestAccuracy > 0.25, $"{tanhClipped.TestAccuracy:P2}"); // 35.28 %
        // Linear ×2: gradients in the thousands (2.1e3 at the first layer); unclipped training diverges in the first epoch.
        Assert.True(linear.InitialGradientNorms[0] > 1000);
        Assert.True(linear.InitialGradientNorms[0] > linear.InitialGradientNorms[^1]);
        Assert.Equal(1, linear.DivergedAtEpoch);
        Assert.True(double.IsNaN(linear.TestAccuracy));
        Assert.Null(linearClipped.DivergedAtEpoch);
        Assert.True(linearClipped.TestAccuracy > 0.85, $"{linearClipped.TestAccuracy:P2}"); // 91.67 %
    }

    [Fact]
    public void The_charts_are_well_formed_svg_with_a_line_per_network()
    {
        XNamespace svg = "http://www.w3.org/2000/svg";
        using var folder = new TempFolder();
        foreach ((int experiment, TrainedNetwork[] runs) in new[] { (1, Glorot.Value), (4, Exploding.Value) })
        {
            string path = Path.Combine(folder.Path, Report.Titles[experiment - 1].File);
            Report.WriteAtomically(path, Report.Chart(experiment, runs, Short(experiment)));
            XDocument doc = XDocument.Load(path);
            string[] series = doc.Descendants(svg + "polyline").Select(p => (string)p.Attribute("data-series")!).ToArray();
            Assert.All(runs, r => Assert.Contains("initial-grad:" + r.Name, series));
            // The gradient panel is on a log scale: its ticks are powers of ten.
            Assert.Contains(doc.Descendants(svg + "text").Select(t => t.Value), t => t.StartsWith("1e", StringComparison.Ordinal));
        }
        Assert.Contains("Sigmoid, standard", Report.Table(1, Glorot.Value));
        Assert.Contains("diverged in epoch 1", Report.Table(4, Exploding.Value));
    }
}
