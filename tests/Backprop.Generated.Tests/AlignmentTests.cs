using System.Runtime;
using Backprop.Generated;
using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests;

/// <summary>Parameters, gradients and batch buffers start on a 64-byte boundary, and stay there through compacting GCs.</summary>
public unsafe class AlignmentTests
{
    private static long Address(Span<float> span)
    {
        fixed (float* p = span) return (long)p;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(235_146)]
    public void AlignedFloats_is_zeroed_of_the_length_asked_and_64_byte_aligned(int length)
    {
        var buffer = new AlignedFloats(length);
        Assert.Equal(length, buffer.Length);
        Assert.Equal(length, buffer.Span.Length);
        Assert.True(buffer.Span.ToArray().All(v => v == 0f));
        if (length > 0) Assert.Equal(0, Address(buffer.Span) % AlignedFloats.Alignment);
    }

    [Fact]
    public void AlignedFloats_rejects_a_negative_length()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedFloats(-1));
    }

    [Fact]
    public void Network_parameters_and_gradients_stay_aligned_through_a_compacting_collection()
    {
        var nets = Enumerable.Range(0, 20).Select(i => new DeepNet(i)).ToList();
        // garbage between them, then a full compacting collection: ordinary arrays would move, pinned-heap ones do not
        for (int i = 0; i < 1000; i++) _ = new float[100 + i];
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        foreach (DeepNet net in nets)
        {
            Assert.Equal(0, Address(net.Parameters) % 64);
            Assert.Equal(0, Address(net.Gradients) % 64);
        }
        Assert.Equal(0, Address(new TinyNet(1).Parameters) % 64);
    }
}
