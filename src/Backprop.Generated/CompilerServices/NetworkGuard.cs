using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Backprop.Generated.CompilerServices;

/// <summary>The argument checks of generated <c>Forward</c> and <c>Backward</c> methods. Used by generated code.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class NetworkGuard
{
    /// <summary>
    /// The number of samples k in <paramref name="firstLength"/> floats of <paramref name="firstSize"/> per sample, after
    /// checking that it is a whole, positive number and that <paramref name="secondLength"/> holds exactly k samples of
    /// <paramref name="secondSize"/> floats.
    /// </summary>
    /// <exception cref="ArgumentException">Either length is wrong; the message names the span, the expected and the actual length.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int SampleCount(int firstLength, int firstSize, int secondLength, int secondSize, string firstName, string secondName)
    {
        if (firstLength == 0 || firstLength % firstSize != 0)
        {
            throw new ArgumentException(
                $"{firstName}.Length must be a positive multiple of {firstSize} (one sample is {Floats(firstSize)}), but is {firstLength}.", firstName);
        }
        int k = firstLength / firstSize;
        if (secondLength != k * secondSize)
        {
            string samples = k == 1 ? "1 sample" : $"{k} samples";
            throw new ArgumentException(
                $"{secondName}.Length must be {k * secondSize} ({samples} of {Floats(secondSize)}, as in {firstName}), but is {secondLength}.", secondName);
        }
        return k;
    }

    /// <summary>
    /// The number of samples k of a generated <c>Inspect</c>: <paramref name="inputsLength"/> must be a whole, positive
    /// number of samples of <paramref name="inputSize"/> floats and <paramref name="layersLength"/> the network's
    /// <paramref name="layerCount"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Either length is wrong; the message names the span, the expected and the actual length.</exception>
    public static int InspectSampleCount(int inputsLength, int inputSize, int layersLength, int layerCount)
    {
        if (inputsLength == 0 || inputsLength % inputSize != 0)
        {
            throw new ArgumentException(
                $"inputs.Length must be a positive multiple of {inputSize} (one sample is {Floats(inputSize)}), but is {inputsLength}.", "inputs");
        }
        if (layersLength != layerCount)
        {
            throw new ArgumentException(
                $"layers.Length must be {layerCount} (LayerCount: one LayerActivity per declared layer), but is {layersLength}.", "layers");
        }
        return inputsLength / inputSize;
    }

    private static string Floats(int n) => n == 1 ? "1 float" : $"{n} floats";

    /// <summary>The checks of a generated <c>TrainStep</c>: one sample in, one sample of targets, a usable learning rate.</summary>
    /// <exception cref="ArgumentException">A length is not one sample's, or the rate is negative or not finite; the message names which and the values.</exception>
    public static void CheckTrainStep(int inputLength, int inputSize, int targetLength, int outputSize, float learningRate)
    {
        if (inputLength != inputSize)
        {
            throw new ArgumentException($"input.Length must be {inputSize} (one sample), but is {inputLength}.", "input");
        }
        if (targetLength != outputSize)
        {
            throw new ArgumentException($"target.Length must be {outputSize} (one sample), but is {targetLength}.", "target");
        }
        if (!float.IsFinite(learningRate) || learningRate < 0f)
        {
            throw new ArgumentException($"learningRate must be a finite number ≥ 0, but is {learningRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}.", nameof(learningRate));
        }
    }
}
