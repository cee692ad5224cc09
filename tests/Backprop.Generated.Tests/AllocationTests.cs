namespace Backprop.Generated.Tests;

/// <summary>Forward and Backward must not allocate on the managed heap once warmed up.</summary>
public class AllocationTests
{
    public static TheoryData<string> Networks => new() { nameof(TinyNet), nameof(DigitsShapedNet), nameof(MixedNet), nameof(DeepNet) };

    private static INetwork Create(string name) => name switch
    {
        nameof(TinyNet) => new TinyNet(1),
        nameof(DigitsShapedNet) => new DigitsShapedNet(1),
        nameof(MixedNet) => new MixedNet(1),
        nameof(DeepNet) => new DeepNet(1),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Forward_and_Backward_allocate_nothing_after_warm_up(string name)
    {
        INetwork network = Create(name);
        const int k = 3;
        float[] inputs = new float[k * network.InputSize];
        float[] targets = new float[k * network.OutputSize];
        float[] outputs = new float[k * network.OutputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (i % 7) * 0.1f - 0.3f;
        for (int s = 0; s < k; s++) targets[s * network.OutputSize + s % network.OutputSize] = 1f;
        int calls = name == nameof(DeepNet) ? 200 : 5_000;

        // Warm up: JIT tiering, the lazily made training buffer, ArrayPool's per-thread cache.
        for (int i = 0; i < 50; i++)
        {
            network.Forward(inputs, outputs);
            network.Backward(inputs, targets);
            network.Forward(inputs.AsSpan(0, network.InputSize), outputs.AsSpan(0, network.OutputSize));
        }

        long allocated = AllocationProbe.MinBytes(() =>
        {
            for (int i = 0; i < calls; i++)
            {
                network.Forward(inputs, outputs);
                network.Forward(inputs.AsSpan(0, network.InputSize), outputs.AsSpan(0, network.OutputSize));
                network.Backward(inputs, targets);
                network.ZeroGradients();
            }
        });
        Assert.Equal(0, allocated);
        Assert.True(float.IsFinite(outputs[0]));
    }

    [Fact]
    public void The_measurement_sees_allocations_when_there_are_some()
    {
        object[] sink = new object[10];
        Assert.True(AllocationProbe.MinBytes(() => { for (int i = 0; i < sink.Length; i++) sink[i] = new float[16]; }) > 0);
        GC.KeepAlive(sink);
    }
}
