using System.Runtime.Intrinsics;
using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests.Kernels;

/// <summary>
/// LaneKernels: a block of eight samples to and from one vector per feature, and the sigmoid lane by lane with the
/// one-sample code's bits. Run as they are and under DOTNET_EnableAVX512F=0 DOTNET_EnableAVX512=0 and DOTNET_EnableHWIntrinsic=0.
/// </summary>
public class LaneKernelTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(5, 3)]
    [InlineData(64, 1)]
    public void Load_and_Store_move_feature_j_of_sample_s_to_lane_s_and_back(int size, int offset)
    {
        float[] block = new float[offset + LaneKernels.Lanes * size + 1];
        for (int i = 0; i < block.Length; i++) block[i] = i * 0.5f - 3f;
        float[] back = new float[block.Length];
        Array.Fill(back, float.NaN);
        ReadOnlySpan<float> x = block.AsSpan(offset, LaneKernels.Lanes * size + 1); // one float more than the block: ignored
        for (int j = 0; j < size; j++)
        {
            Vector256<float> v = LaneKernels.Load(x, size, j);
            for (int s = 0; s < LaneKernels.Lanes; s++)
            {
                Assert.Equal(block[offset + s * size + j], v.GetElement(s));
            }
            LaneKernels.Store(v, back.AsSpan(offset), size, j);
        }
        Assert.Equal(block.AsSpan(offset, LaneKernels.Lanes * size).ToArray(), back.AsSpan(offset, LaneKernels.Lanes * size).ToArray());
        Assert.True(back.AsSpan(0, offset).ToArray().All(float.IsNaN)); // nothing before the block
        Assert.True(float.IsNaN(back[^1])); // nor after it
    }

    [Theory]
    [InlineData(15, 2, 0)] // a block of eight 2-float samples needs 16 floats
    [InlineData(16, 2, 2)] // feature 2 of a 2-float sample
    [InlineData(16, 2, -1)]
    [InlineData(0, 0, 0)]
    public void Load_and_Store_refuse_a_short_block_or_a_feature_out_of_range(int length, int size, int feature)
    {
        float[] block = new float[length];
        var load = Assert.Throws<ArgumentOutOfRangeException>(() => LaneKernels.Load(block, size, feature));
        Assert.Contains($"got {length} floats and feature {feature}", load.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => LaneKernels.Store(Vector256<float>.Zero, block, size, feature));
    }

    [Fact]
    public void Sigmoid_lane_by_lane_has_the_bits_of_the_one_sample_expression()
    {
        var values = new List<float> { 0f, -0f, 1e-30f, -1e-30f, 88f, -88f, 104f, -104f, 200f, -200f, float.PositiveInfinity, float.NegativeInfinity, float.NaN };
        var rng = new DeterministicRandom(7);
        for (int i = 0; i < 4000; i++) values.Add((float)((rng.NextDouble() * 2 - 1) * Math.Pow(2, rng.NextInt(28) - 20)));
        while (values.Count % 8 != 0) values.Add(1f);
        for (int i = 0; i < values.Count; i += 8)
        {
            Vector256<float> a = LaneKernels.Sigmoid(Vector256.Create(values.GetRange(i, 8).ToArray()));
            for (int lane = 0; lane < 8; lane++)
            {
                float z = values[i + lane];
                float expected = 1f / (1f + MathF.Exp(-z)); // ActivationFormulas.Value(Sigmoid): what ForwardOne computes
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(a.GetElement(lane)),
                    $"σ({z:R}): lanes {a.GetElement(lane):R}, scalar {expected:R}");
            }
        }
    }

    [Fact]
    public void The_lane_path_applies_from_one_whole_block_on_SIMD_hardware()
    {
        Assert.False(LaneKernels.Applies(LaneKernels.Lanes - 1));
        Assert.Equal(Vector256.IsHardwareAccelerated, LaneKernels.Applies(LaneKernels.Lanes));
        Assert.Equal(Vector256.IsHardwareAccelerated, LaneKernels.Applies(1000));
    }
}
