using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace Backprop.Generated;

public sealed partial class Trainer
{
    // "BPGCKPT" and a NUL, then a format version: a checkpoint is a private binary format, not a weights file.
    private static ReadOnlySpan<byte> CheckpointMagic => "BPGCKPT\0"u8;
    private const int CheckpointVersion = 1;

    /// <summary>
    /// Saves everything needed to resume this run exactly: the parameters, the network's <see cref="INetwork.State"/>
    /// and <see cref="INetwork.TrainingStep"/>, the optimizer's state (step count, rate, moment buffers), the epochs
    /// completed, the base learning rate (the schedule's position is the epoch), the shuffling options (each epoch's
    /// order follows from the seed and the epoch) and the early-stopping state (best loss and epoch, patience count,
    /// best parameters). Call it between epochs, for example from the callback of
    /// <see cref="Train(Dataset, Dataset?, Action{EpochReport}, System.Threading.CancellationToken)"/>, or after <c>Train</c>.
    /// The file is written atomically (temporary file, flush to disk, rename).
    /// <para>A network with <c>[Dropout]</c> draws its masks from the seed it was created (or last initialized) with,
    /// which is not part of <see cref="INetwork"/>: create the network you resume into with the same seed.</para>
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <exception cref="IOException">The file could not be written; the old file, if any, is unchanged.</exception>
    public void SaveCheckpoint(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            INetwork net = Network;
            w.Write(CheckpointMagic);
            w.Write(CheckpointVersion);
            w.Write(NetworkName(net));
            w.Write(net.ParameterCount);
            w.Write(net.State.Length);
            w.Write(TensorSignature(net));
            w.Write(_completedEpochs);
            w.Write(net.TrainingStep);
            w.Write(BaseLearningRate);
            w.Write(Options.Seed);
            w.Write(Options.BatchSize);
            w.Write(Options.Shuffle);
            w.Write(_resumeTrainingCount);
            w.Write(_bestLoss);
            w.Write(_bestEpoch ?? 0);
            w.Write(_epochsWithoutImprovement);
            WriteFloats(w, net.Parameters);
            WriteFloats(w, net.State);
            WriteOptimizerState(w, Optimizer);
            w.Write(_hasBest);
            if (_hasBest)
            {
                WriteFloats(w, _bestParameters);
                WriteFloats(w, _bestState);
                byte[] best = _bestOptimizerState!.ToArray();
                w.Write(best.Length);
                w.Write(best);
            }
        });
    }

    /// <summary>
    /// Restores a run saved by <see cref="SaveCheckpoint"/>: the next <c>Train</c> call continues at the epoch after
    /// the checkpoint's and runs until <see cref="TrainerOptions.Epochs"/> epochs in total, with the same bits as a
    /// run that never stopped (same data, options, schedule and optimizer hyper-parameters). The whole file is checked
    /// before anything changes: on failure the network, the optimizer and the trainer are unchanged.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is truncated or corrupt, or does not fit this
    /// trainer (the network type and tensors, the optimizer's type or hyper-parameters, or the seed, batch size or shuffling
    /// that decide the order of the samples); the message names the file and what differs.</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    public void LoadCheckpoint(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = File.ReadAllBytes(path);
        Exception Bad(string problem, Exception? inner = null) => new InvalidDataException($"Checkpoint '{path}': {problem}", inner);
        INetwork net = Network;
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            if (bytes.Length < CheckpointMagic.Length || !bytes.AsSpan(0, CheckpointMagic.Length).SequenceEqual(CheckpointMagic))
                throw Bad("not a checkpoint (it does not start with BPGCKPT; weights files load with LoadWeights).");
            r.BaseStream.Position = CheckpointMagic.Length;
            int version = r.ReadInt32();
            if (version != CheckpointVersion) throw Bad($"format version {version} is not supported (expected {CheckpointVersion}).");
            string networkName = r.ReadString();
            if (networkName != NetworkName(net))
                throw Bad($"it was saved from the network {networkName}; this trainer's network is {NetworkName(net)} (same tensors or not, another layer stack).");
            int parameterCount = r.ReadInt32(), stateCount = r.ReadInt32();
            string signature = r.ReadString();
            if (parameterCount != net.ParameterCount || stateCount != net.State.Length || signature != TensorSignature(net))
                throw Bad($"it was saved from a network with {parameterCount} parameters, {stateCount} state values and tensors {signature}; " +
                    $"this network has {net.ParameterCount}, {net.State.Length} and {TensorSignature(net)}.");
            int completed = r.ReadInt32();
            long trainingStep = r.ReadInt64();
            float baseRate = r.ReadSingle();
            int seed = r.ReadInt32(), batchSize = r.ReadInt32();
            bool shuffle = r.ReadBoolean();
            int trainingCount = r.ReadInt32();
            double bestLoss = r.ReadDouble();
            int bestEpoch = r.ReadInt32(), withoutImprovement = r.ReadInt32();
            if (completed < 0 || trainingStep < 0 || trainingCount < 0 || bestEpoch < 0 || bestEpoch > completed || withoutImprovement < 0 || !(baseRate > 0) || float.IsInfinity(baseRate))
                throw Bad("the epoch counters, step counter or base learning rate are out of range (the file is corrupt).");
            if (seed != Options.Seed || batchSize != Options.BatchSize || shuffle != Options.Shuffle)
                throw Bad($"it was saved with Seed = {seed}, BatchSize = {batchSize}, Shuffle = {shuffle}; this trainer has Seed = {Options.Seed}, " +
                    $"BatchSize = {Options.BatchSize}, Shuffle = {Options.Shuffle}, which would visit the samples in another order.");
            float[] parameters = ReadFloats(r, parameterCount, "parameters", path);
            float[] state = ReadFloats(r, stateCount, "state", path);
            byte[] optimizerState = ReadBlock(r, "optimizer state", path);
            bool hasBest = r.ReadBoolean();
            float[]? bestParameters = null, bestState = null;
            byte[]? bestOptimizer = null;
            if (hasBest)
            {
                bestParameters = ReadFloats(r, parameterCount, "best parameters", path);
                bestState = ReadFloats(r, stateCount, "best state", path);
                bestOptimizer = ReadBlock(r, "best optimizer state", path);
            }
            if (r.BaseStream.Position != bytes.Length)
                throw Bad($"{bytes.Length - r.BaseStream.Position} bytes follow the end of the checkpoint.");

            // Everything is read; the optimizer's load is the one step that can still refuse (type, hyper-parameters),
            // and it changes nothing when it does. Check the best snapshot's optimizer state the same way first.
            if (bestOptimizer is not null) CheckOptimizerState(bestOptimizer, path);
            try
            {
                Optimizer.LoadState(new MemoryStream(optimizerState, writable: false));
            }
            catch (InvalidDataException e)
            {
                throw Bad($"the optimizer state does not fit this trainer's {Optimizer}: {e.Message}", e);
            }
            parameters.CopyTo(net.Parameters);
            state.CopyTo(net.State);
            net.TrainingStep = trainingStep;
            BaseLearningRate = baseRate;
            _completedEpochs = completed;
            _resumeTrainingCount = trainingCount;
            _bestLoss = bestLoss;
            _bestEpoch = bestEpoch == 0 ? null : bestEpoch;
            _epochsWithoutImprovement = withoutImprovement;
            _hasBest = hasBest;
            _bestParameters = bestParameters;
            _bestState = bestState;
            _bestOptimizerState = bestOptimizer is null ? null : new MemoryStream(bestOptimizer);
            _resumePending = true;
        }
        catch (EndOfStreamException e)
        {
            throw Bad("the file ends early (truncated).", e);
        }
    }

    private void CheckOptimizerState(byte[] state, string path)
    {
        // Load into a scratch copy of the current state, then put the current state back: LoadState validates fully.
        var current = new MemoryStream();
        Optimizer.SaveState(current);
        try
        {
            Optimizer.LoadState(new MemoryStream(state, writable: false));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Checkpoint '{path}': the best epoch's optimizer state does not fit this trainer's {Optimizer}: {e.Message}", e);
        }
        finally
        {
            current.Position = 0;
            Optimizer.LoadState(current);
        }
    }

    private static string NetworkName(INetwork network) => network.GetType().FullName ?? network.GetType().Name;

    private static string TensorSignature(INetwork network)
    {
        var parts = new List<string>();
        foreach (TensorInfo t in network.Tensors) parts.Add($"{t.Name}[{string.Join(",", t.Shape)}]");
        return string.Join(" ", parts);
    }

    private static void WriteOptimizerState(BinaryWriter w, IOptimizer optimizer)
    {
        var state = new MemoryStream();
        optimizer.SaveState(state);
        w.Write((int)state.Length);
        w.Write(state.GetBuffer(), 0, (int)state.Length);
    }

    private static void WriteFloats(BinaryWriter w, ReadOnlySpan<float> values)
    {
        w.Write(values.Length);
        w.Flush();
        if (BitConverter.IsLittleEndian)
        {
            w.BaseStream.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        foreach (float v in values) w.Write(v); // BinaryWriter writes little-endian on every machine
    }

    private static float[] ReadFloats(BinaryReader r, int expected, string what, string path)
    {
        int length = r.ReadInt32();
        if (length != expected) throw new InvalidDataException($"Checkpoint '{path}': the {what} hold {length} values, expected {expected}.");
        var values = new float[length];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        if (!BitConverter.IsLittleEndian)
        {
            Span<int> bits = MemoryMarshal.Cast<float, int>(values.AsSpan());
            for (int i = 0; i < bits.Length; i++) bits[i] = BinaryPrimitives.ReverseEndianness(bits[i]);
        }
        return values;
    }

    private static byte[] ReadBlock(BinaryReader r, string what, string path)
    {
        int length = r.ReadInt32();
        if (length < 0 || length > r.BaseStream.Length - r.BaseStream.Position)
            throw new InvalidDataException($"Checkpoint '{path}': the {what} claims {length} bytes, more than the file holds (truncated or corrupt).");
        return r.ReadBytes(length);
    }
}
