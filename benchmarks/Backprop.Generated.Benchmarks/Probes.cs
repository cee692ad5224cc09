using System;
using Backprop.Generated;

namespace Backprop.Generated.Benchmarks;

// Probe networks for choosing the unroll threshold (Limits.UnrollMaxWeights): layers of 32 to 512 weights, timed with
// `--probe` once with the generator's threshold at 16 (all looped) and once at 512 (all unrolled).

[Network(Loss.MeanSquaredError)]
[Input(4)]
[Dense(8, Activation.Tanh)]
[Dense(4, Activation.Sigmoid)]
public partial class Probe32Net { }

[Network(Loss.MeanSquaredError)]
[Input(8)]
[Dense(8, Activation.ReLU)]
[Dense(8, Activation.Linear)]
public partial class Probe64Net { }

[Network(Loss.MeanSquaredError)]
[Input(16)]
[Dense(8, Activation.ReLU)]
[Dense(16, Activation.Linear)]
public partial class Probe128Net { }

[Network(Loss.MeanSquaredError)]
[Input(16)]
[Dense(16, Activation.ReLU)]
[Dense(16, Activation.Linear)]
public partial class Probe256Net { }

[Network(Loss.MeanSquaredError)]
[Input(32)]
[Dense(16, Activation.ReLU)]
[Dense(32, Activation.Linear)]
public partial class Probe512Net { }

public static class Probes
{
    public static void Run()
    {
        foreach (INetwork net in new INetwork[] { new Probe32Net(1), new Probe64Net(1), new Probe128Net(1), new Probe256Net(1), new Probe512Net(1) })
        {
            float[] x = new float[net.InputSize], t = new float[net.OutputSize], y = new float[net.OutputSize];
            for (int i = 0; i < x.Length; i++) x[i] = 0.1f * i - 0.5f;
            var sgd = new Sgd(1e-3f);
            double forward = Quick.Time(() => net.Forward(x, y));
            double step = Quick.Time(() => { net.Backward(x, t); sgd.Step(net); net.ZeroGradients(); });
            Console.WriteLine($"{net.GetType().Name,-12} forward {forward,8:F1} ns   step {step,8:F1} ns");
        }
    }
}
