using System;
using Backprop.Generated;

namespace Xor;

/// <summary>Trains <see cref="XorNet"/> with full-batch gradient descent; shared by the sample and its test.</summary>
public static class XorTraining
{
    /// <summary>The four XOR inputs, one sample after another.</summary>
    public static readonly float[] Inputs = { 0, 0, 0, 1, 1, 0, 1, 1 };

    /// <summary>The XOR of each input pair.</summary>
    public static readonly float[] Targets = { 0, 1, 1, 0 };

    /// <summary>Default number of epochs (full-batch steps).</summary>
    public const int DefaultEpochs = 2000;

    /// <summary>Default learning rate for plain SGD.</summary>
    public const float DefaultLearningRate = 2f;

    /// <summary>
    /// Trains a fresh network from <paramref name="seed"/> for <paramref name="epochs"/> full-batch SGD steps and
    /// returns it with the mean loss after each epoch.
    /// </summary>
    public static (XorNet Network, float[] Losses) Train(int seed = 0, int epochs = DefaultEpochs, float learningRate = DefaultLearningRate, Action<int, float>? onEpoch = null)
    {
        var network = new XorNet(seed);
        var optimizer = new Sgd(learningRate);
        var losses = new float[epochs];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            network.ZeroGradients();
            losses[epoch] = network.Backward(Inputs, Targets);
            optimizer.Step(network);
            onEpoch?.Invoke(epoch, losses[epoch]);
        }
        return (network, losses);
    }
}
