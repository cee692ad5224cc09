using System;
using System.Globalization;
using Xor;

// Trains XOR with plain full-batch SGD and prints the loss falling, then the four predictions.
int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : XorTraining.DefaultEpochs;
Console.WriteLine($"XOR: 2 → Dense(4, Tanh) → Dense(1, Sigmoid), mean squared error, SGD lr {XorTraining.DefaultLearningRate.ToString(CultureInfo.InvariantCulture)}, {epochs} epochs");
var (network, losses) = XorTraining.Train(epochs: epochs, onEpoch: (epoch, loss) =>
{
    if (epoch == 0 || (epoch + 1) % (epochs / 10 == 0 ? 1 : epochs / 10) == 0)
    {
        int width = (int)Math.Round(Math.Min(1.0, loss / 0.3) * 40);
        Console.WriteLine($"epoch {epoch + 1,5}  loss {loss.ToString("F6", CultureInfo.InvariantCulture)}  {new string('#', width)}");
    }
});

Span<float> output = stackalloc float[1];
for (int i = 0; i < 4; i++)
{
    network.Forward(XorTraining.Inputs.AsSpan(i * 2, 2), output);
    Console.WriteLine($"{XorTraining.Inputs[i * 2]} xor {XorTraining.Inputs[i * 2 + 1]} = {output[0].ToString("F4", CultureInfo.InvariantCulture)} (target {XorTraining.Targets[i]})");
}
Console.WriteLine($"final loss {losses[^1].ToString("E3", CultureInfo.InvariantCulture)}");
return losses[^1] < 0.01f ? 0 : 1;
