using System;
using System.ComponentModel;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// The statistics behind <see cref="LayerActivity"/>, gathered one sample at a time so a generated <c>Inspect</c> needs
/// one sample's outputs per layer, never k: the mean and population standard deviation of every output (Chan et al.'s
/// pairwise update in double, one sample's values merged at a time), the saturated outputs, and for ReLU-family layers
/// which units were ever active. A mutable struct held in a local per layer. Used by generated code.
/// </summary>
/// <remarks>
/// A ReLU or LeakyReLU output is ≤ 0 exactly when its pre-activation is (ReLU gives 0, LeakyReLU 0.01 z, and both
/// return z itself when z &gt; 0), so the outputs tell which units are dead and no pre-activation is kept.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct ActivityAccumulator
{
    private long _count;
    private long _saturated;
    private double _mean;
    private double _m2;

    /// <summary>
    /// Adds one sample's <paramref name="outputs"/> of a layer whose activation is <paramref name="activation"/>. For
    /// ReLU and LeakyReLU, <paramref name="alive"/> (one float per output, all 0 before the first sample) gets a 1
    /// where the output is &gt; 0; other activations pass an empty span.
    /// </summary>
    /// <exception cref="ArgumentException">A ReLU-family layer's <paramref name="alive"/> is not as long as its outputs.</exception>
    public void Add(ReadOnlySpan<float> outputs, Activation activation, Span<float> alive)
    {
        int n = outputs.Length;
        if (n == 0) return;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += outputs[i];
        double mean = sum / n, m2 = 0;
        for (int i = 0; i < n; i++)
        {
            double d = outputs[i] - mean;
            m2 += d * d;
        }
        long total = _count + n;
        double delta = mean - _mean;
        _mean += delta * n / total;
        _m2 += m2 + delta * delta * ((double)_count * n / total);
        _count = total;

        switch (activation)
        {
            case Activation.Sigmoid:
                for (int i = 0; i < n; i++)
                {
                    if (outputs[i] <= LayerActivity.SigmoidSaturation || outputs[i] >= 1 - LayerActivity.SigmoidSaturation) _saturated++;
                }
                break;
            case Activation.Tanh:
                for (int i = 0; i < n; i++)
                {
                    if (Math.Abs(outputs[i]) >= LayerActivity.TanhSaturation) _saturated++;
                }
                break;
            case Activation.ReLU or Activation.LeakyReLU:
                if (alive.Length != n)
                    throw new ArgumentException($"alive.Length must be {n} (one per output of the {activation} layer), but is {alive.Length}.", nameof(alive));
                for (int i = 0; i < n; i++)
                {
                    if (outputs[i] > 0) alive[i] = 1;
                }
                break;
        }
    }

    /// <summary>The statistics of everything added, as the <see cref="LayerActivity"/> of layer <paramref name="position"/>.</summary>
    /// <param name="position">The layer's declaration index.</param>
    /// <param name="kind">The layer attribute's name without "Attribute".</param>
    /// <param name="activation">The layer's activation, as given to <see cref="Add"/>.</param>
    /// <param name="units">Floats of output per sample.</param>
    /// <param name="alive">The span given to <see cref="Add"/> (ReLU family), else empty.</param>
    public readonly LayerActivity Result(int position, string kind, Activation activation, int units, ReadOnlySpan<float> alive)
    {
        double dead = 0;
        if (activation is Activation.ReLU or Activation.LeakyReLU && alive.Length > 0)
        {
            int count = 0;
            foreach (float a in alive)
            {
                if (a == 0) count++;
            }
            dead = (double)count / alive.Length;
        }
        double std = _count == 0 ? 0 : Math.Sqrt(_m2 / _count);
        double saturated = _count == 0 ? 0 : (double)_saturated / _count;
        return new LayerActivity(position, kind, activation, units, _mean, std, saturated, dead);
    }
}
