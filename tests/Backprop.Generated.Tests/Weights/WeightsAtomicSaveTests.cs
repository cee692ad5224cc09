using System;
using System.IO;
using Backprop.Generated;
using Xunit;

namespace Backprop.Generated.Tests.Weights;

public sealed class WeightsAtomicSaveTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static byte[] Serialize(INetwork network)
    {
        var stream = new MemoryStream();
        network.SaveWeights(stream);
        return stream.ToArray();
    }

    [Fact]
    public void SaveOverAnExistingFile_ReplacesIt_AndLeavesNoTemporaryFile()
    {
        string path = _temp.File("w.safetensors");
        FakeNetwork.Small().Fill(1).SaveWeights(path);
        var second = FakeNetwork.Small().Fill(2);
        second.SaveWeights(path);
        Assert.Equal(Serialize(second), File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, _temp.Entries());
    }

    [Fact]
    public void SaveInterruptedAfterAnyNumberOfBytes_LeavesTheOldFileIntact_AndNoTemporaryFile()
    {
        string path = _temp.File("w.safetensors");
        var oldNetwork = FakeNetwork.Small().Fill(1);
        oldNetwork.SaveWeights(path);
        byte[] oldBytes = File.ReadAllBytes(path);
        var newNetwork = FakeNetwork.Small().Fill(2);
        byte[] newBytes = Serialize(newNetwork);

        for (long limit = 0; limit < newBytes.Length; limit++)
        {
            long captured = limit;
            var ex = Assert.Throws<IOException>(() =>
                AtomicFile.Write(path, s => SafeTensorsWriter.Write(newNetwork, s, null), wrap: s => new FailingWriteStream(s, captured)));
            Assert.Contains("Injected failure", ex.Message, StringComparison.Ordinal);
            Assert.Equal(oldBytes, File.ReadAllBytes(path));
            Assert.Equal(new[] { path }, _temp.Entries());
        }

        // With room for every byte the save goes through.
        AtomicFile.Write(path, s => SafeTensorsWriter.Write(newNetwork, s, null), wrap: s => new FailingWriteStream(s, newBytes.Length));
        Assert.Equal(newBytes, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, _temp.Entries());
    }

    [Theory]
    [InlineData(AtomicFile.BeforeFlushToDisk)]
    [InlineData(AtomicFile.BeforeRename)]
    public void SaveInterruptedBeforeFlushOrRename_LeavesTheOldFileIntact(string step)
    {
        string path = _temp.File("w.safetensors");
        FakeNetwork.Small().Fill(1).SaveWeights(path);
        byte[] oldBytes = File.ReadAllBytes(path);
        var newNetwork = FakeNetwork.Small().Fill(2);

        Assert.Throws<IOException>(() => AtomicFile.Write(path, s => SafeTensorsWriter.Write(newNetwork, s, null), checkpoint: at =>
        {
            if (at == step) throw new IOException("Injected failure at " + at);
        }));
        Assert.Equal(oldBytes, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, _temp.Entries());
    }

    [Fact]
    public void InterruptedFirstSave_LeavesNoFileAtAll()
    {
        string path = _temp.File("new.safetensors");
        var network = FakeNetwork.Small().Fill(1);
        Assert.Throws<IOException>(() =>
            AtomicFile.Write(path, s => SafeTensorsWriter.Write(network, s, null), wrap: s => new FailingWriteStream(s, 20)));
        Assert.Empty(_temp.Entries());
    }

    [Fact]
    public void SaveIntoAMissingFolder_Throws_AndCreatesNothing()
    {
        string path = Path.Combine(_temp.Path, "missing", "w.safetensors");
        Assert.Throws<DirectoryNotFoundException>(() => FakeNetwork.Small().SaveWeights(path));
        Assert.Empty(_temp.Entries());
    }

    [Fact]
    public void SaveOverAFolder_Throws_AndLeavesNoTemporaryFile()
    {
        string path = _temp.File("taken");
        Directory.CreateDirectory(path);
        Assert.ThrowsAny<IOException>(() => FakeNetwork.Small().SaveWeights(path));
        Assert.Equal(new[] { path }, _temp.Entries());
    }
}
