using Backprop.Generated.CompilerServices;
using static Backprop.Generated.Tests.Kernels.KernelTestData;

namespace Backprop.Generated.Tests.Kernels;

/// <summary>
/// <see cref="ActivationKernels.ReLU"/> against <c>MathF.Max(z, 0f)</c>, the scalar formula generated code used before
/// and PyTorch's relu: bit for bit on every length (each vector remainder of every width) and alignment, with the
/// values where max implementations differ: NaN (kept, with its sign and payload), −0 (becomes +0), infinities and
/// subnormals.
/// </summary>
public class ActivationKernelTests
{
    private static readonly float[] Specials =
    {
        float.NaN, -float.NaN, BitConverter.Int32BitsToSingle(0x7FC0_1234), BitConverter.Int32BitsToSingle(unchecked((int)0xFFC0_0001)),
        -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon, 1e-40f, -1e-40f,
        float.MaxValue, float.MinValue, 1f, -1f,
    };

    public static IEnumerable<object[]> Lengths() =>
        SmallSizes.Concat(LargeSizes).Prepend(0).SelectMany(n => new[] { new object[] { n, 0 }, new object[] { n, 1 + n % 15 } });

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ReLU_gives_the_bits_of_MathF_Max(int length, int offset)
    {
        Span<float> buffer = Random(length + 2, 1 + length, offset);
        Span<float> values = buffer.Slice(0, length);
        for (int i = 0; i < length; i += 3) values[i] = Specials[i / 3 % Specials.Length];
        float[] expected = values.ToArray().Select(z => MathF.Max(z, 0f)).ToArray();
        float[] tail = buffer.Slice(length).ToArray();
        ActivationKernels.ReLU(values);
        for (int i = 0; i < length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(values[i]),
                $"length {length}, offset {offset}: relu[{i}] = {values[i]:R} (0x{BitConverter.SingleToInt32Bits(values[i]):X8}), expected {expected[i]:R} (0x{BitConverter.SingleToInt32Bits(expected[i]):X8})");
        }
        Assert.Equal(tail, buffer.Slice(length).ToArray());
    }

    [Fact]
    public void ReLU_keeps_NaN_and_makes_negative_zero_positive()
    {
        float[] values = { float.NaN, -0f, -3f, 2f, float.NegativeInfinity, float.PositiveInfinity, 0f, -1e-40f, 1e-40f };
        ActivationKernels.ReLU(values);
        Assert.True(float.IsNaN(values[0]), "NaN must propagate (as PyTorch's relu and MathF.Max do), not become 0");
        Assert.Equal(0, BitConverter.SingleToInt32Bits(values[1])); // +0, not −0
        Assert.Equal(0, BitConverter.SingleToInt32Bits(values[2]));
        Assert.Equal(2f, values[3]);
        Assert.Equal(0, BitConverter.SingleToInt32Bits(values[4]));
        Assert.Equal(float.PositiveInfinity, values[5]);
        Assert.Equal(0, BitConverter.SingleToInt32Bits(values[6]));
        Assert.Equal(0, BitConverter.SingleToInt32Bits(values[7]));
        Assert.Equal(1e-40f, values[8]);
    }
}
