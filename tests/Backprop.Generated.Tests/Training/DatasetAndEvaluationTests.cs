using System;
using System.Globalization;
using System.Linq;
using Backprop.Generated;
using Xunit;

namespace Backprop.Generated.Tests.Training;

public sealed class DatasetTests
{
    [Fact]
    public void OneHotAndFromLabels()
    {
        Assert.Equal([0f, 1f, 0f, 0f, 0f, 1f, 1f, 0f, 0f], Dataset.OneHot([1, 2, 0], 3));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.OneHot([0, 3], 3));
        Assert.Contains("[0, 3)", e.Message);
        Dataset d = Dataset.FromLabels([1f, 2f, 3f, 4f], 2, [1, 0], 2);
        Assert.Equal(2, d.Count);
        Assert.Equal([3f, 4f], d.GetInput(1).ToArray());
        Assert.Equal([1f, 0f], d.GetTarget(1).ToArray());
    }

    [Fact]
    public void ConstructorValidatesAndCopies()
    {
        float[] inputs = [1f, 2f, 3f, 4f];
        var d = new Dataset(inputs, [0f, 1f], 2, 1);
        inputs[0] = 99f;
        Assert.Equal(1f, d.Inputs[0]);
        Assert.Throws<ArgumentException>(() => new Dataset([1f, 2f, 3f], [0f], 2, 1));
        Assert.Throws<ArgumentException>(() => new Dataset([1f, 2f], [0f, 1f], 2, 1));
        Assert.Equal("inputSize", Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset([1f], [1f], 0, 1)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => d.GetInput(2));
    }

    [Fact]
    public void SplitIsDeterministicAndKeepsEverySample()
    {
        Dataset d = TestData.Blobs(20, seed: 1);
        var (a1, b1) = d.Split(15, shuffleSeed: 4);
        var (a2, _) = d.Split(15, shuffleSeed: 4);
        Assert.Equal(a1.Inputs.ToArray(), a2.Inputs.ToArray());
        Assert.Equal(15, a1.Count);
        Assert.Equal(5, b1.Count);
        var all = a1.Inputs.ToArray().Concat(b1.Inputs.ToArray()).OrderBy(x => x);
        Assert.Equal(d.Inputs.ToArray().OrderBy(x => x), all);
        var (first, _) = d.Split(3);
        Assert.Equal(d.Inputs[..12].ToArray(), first.Inputs.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Split(20));
    }
}

public sealed class EvaluationTests
{
    [Fact]
    public void CrossEntropyLossAndAccuracyMatchBackward()
    {
        Dataset data = TestData.Blobs(50, seed: 2);
        var net = new LinearModel(4, 3, Loss.CrossEntropy);
        net.InitializeParameters(3);
        float backwardLoss = net.Backward(data.Inputs, data.Targets);
        net.ZeroGradients();
        net.Gradients[0] = 42f;
        EvaluationResult result = Evaluation.Evaluate(net, data);
        Assert.Equal(42f, net.Gradients[0]); // gradients untouched
        Assert.Equal(backwardLoss, result.Loss, 5);
        Assert.Equal(50, result.Count);

        var outputs = new float[3];
        int correct = 0;
        for (int s = 0; s < data.Count; s++)
        {
            net.Forward(data.GetInput(s), outputs);
            int predicted = Array.IndexOf(outputs, outputs.Max());
            Assert.Equal(predicted, Evaluation.Predict(net, data.GetInput(s)));
            if (data.GetTarget(s)[predicted] == 1f) correct++;
        }
        Assert.Equal(correct / 50.0, result.Accuracy);
    }

    [Fact]
    public void LossesFollowTheirDefinitions()
    {
        // two samples of two outputs
        float[] y = [0.2f, 0.8f, 0.6f, 0.4f];
        float[] t = [0f, 1f, 1f, 0f];
        double mse = ((0.2 * 0.2) + (0.2 * 0.2) + (0.4 * 0.4) + (0.4 * 0.4)) / 4;
        Assert.Equal(mse, Evaluation.ComputeLoss(Loss.MeanSquaredError, y, t, 2), 6);
        double ce = -(Math.Log(0.8f) + Math.Log(0.6f)) / 2;
        Assert.Equal(ce, Evaluation.ComputeLoss(Loss.CrossEntropy, y, t, 2), 6);
        double bce = -(Math.Log(1 - 0.2f) + Math.Log(0.8f) + Math.Log(0.6f) + Math.Log(1 - 0.4f)) / 4;
        Assert.Equal(bce, Evaluation.ComputeLoss(Loss.BinaryCrossEntropy, y, t, 2), 6);
        float[] hingeT = [-1f, 1f, 1f, -1f];
        double hinge = ((1 + 0.2) + (1 - 0.8) + (1 - 0.6) + (1 + 0.4)) / 4;
        Assert.Equal(hinge, Evaluation.ComputeLoss(Loss.Hinge, y, hingeT, 2), 6);
        // log floors: y = 0 gives -log(tiny) for cross-entropy and 100 for binary cross-entropy
        Assert.Equal(-Math.Log(Evaluation.Tiny), Evaluation.ComputeLoss(Loss.CrossEntropy, [1f, 0f], [0f, 1f], 2), 6);
        Assert.Equal(100.0, Evaluation.ComputeLoss(Loss.BinaryCrossEntropy, [0f], [1f], 1), 6);
        Assert.Throws<ArgumentException>(() => Evaluation.ComputeLoss(Loss.Hinge, y, [1f], 2));
    }

    [Fact]
    public void SingleOutputUsesAThreshold()
    {
        var net = new LinearModel(1, 1, Loss.BinaryCrossEntropy);
        net.Parameters[0] = 1f; // y = sigmoid(x)
        var data = new Dataset([-2f, -1f, 1f, 3f], [0f, 1f, 1f, 1f], 1, 1);
        EvaluationResult r = Evaluation.Evaluate(net, data);
        Assert.Equal(0.75, r.Accuracy);
        Assert.Equal(1, Evaluation.Predict(net, [0.5f]));
        Assert.Equal(0, Evaluation.Predict(net, [-0.5f]));
        var hinge = new LinearModel(1, 1, Loss.Hinge);
        hinge.Parameters[0] = 1f;
        var hingeData = new Dataset([-2f, 0.5f, 1f], [-1f, -1f, 1f], 1, 1);
        Assert.Equal(2.0 / 3, Evaluation.Evaluate(hinge, hingeData).Accuracy!.Value, 9);
    }

    [Fact]
    public void RejectsMismatchedData()
    {
        var net = new LinearModel(4, 3, Loss.CrossEntropy);
        var e = Assert.Throws<ArgumentException>(() => Evaluation.Evaluate(net, new Dataset([1f, 2f], [1f, 0f], 2, 2)));
        Assert.Contains("needs 4 and 3", e.Message);
        Assert.Throws<ArgumentException>(() => Evaluation.Predict(net, [1f]));
    }

    [Fact]
    public void EvaluateLargeSetInChunks()
    {
        Dataset data = TestData.Blobs(1000, seed: 9); // more than one 256-sample chunk
        var net = new LinearModel(4, 3, Loss.CrossEntropy);
        net.InitializeParameters(1);
        var outputs = new float[data.Count * 3];
        net.Forward(data.Inputs, outputs);
        Assert.Equal(Evaluation.ComputeLoss(Loss.CrossEntropy, outputs, data.Targets, 3), Evaluation.Evaluate(net, data).Loss, 9);
    }
}

public sealed class HistoryTests
{
    [Fact]
    public void CsvUsesInvariantRoundTripNumbers()
    {
        Dataset train = TestData.Blobs(30, seed: 1);
        Dataset validation = TestData.Blobs(12, seed: 2);
        var net = new LinearModel(4, 3, Loss.CrossEntropy);
        net.InitializeParameters(1);
        TrainingHistory history = new Trainer(net, new Sgd(0.1f), new TrainerOptions { Epochs = 3, BatchSize = 8 }).Train(train, validation);
        string[] lines = history.ToCsv().Split('\n');
        Assert.Equal("epoch,train_loss,validation_loss,validation_accuracy,learning_rate,elapsed_seconds", lines[0]);
        Assert.Equal(5, lines.Length); // header, 3 epochs, trailing empty
        Assert.Equal("", lines[4]);
        string[] cells = lines[2].Split(',');
        Assert.Equal("2", cells[0]);
        Assert.Equal(history.Epochs[1].TrainLoss, double.Parse(cells[1], CultureInfo.InvariantCulture));
        Assert.Equal(history.Epochs[1].ValidationLoss, double.Parse(cells[2], CultureInfo.InvariantCulture));
        Assert.Equal(history.Epochs[1].ValidationAccuracy, double.Parse(cells[3], CultureInfo.InvariantCulture));
        Assert.Equal("0.1", cells[4]);
        Assert.True(double.Parse(cells[5], CultureInfo.InvariantCulture) >= 0);

        TrainingHistory noValidation = new Trainer(net, new Sgd(0.1f), new TrainerOptions { Epochs = 1 }).Train(train);
        Assert.Matches(@"^1,[0-9.E-]+,,,0\.1,[0-9.]+$", noValidation.ToCsv().Split('\n')[1]);
        Assert.Null(noValidation.BestEpoch);
    }
}
