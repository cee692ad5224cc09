"""Reference values for EvaluationResult's metrics, from scikit-learn's own functions.

Run with Debian's python3 (scikit-learn 1.2): /usr/bin/python3 tests/reference/metrics_reference.py
It writes tests/reference/metrics_reference.json, which MetricsTests reads; the tests do not need Python.
The predictions and targets are float32 (what a network outputs), converted to float64 as the C# code does.
"""
import json
import os

import numpy as np
from sklearn.metrics import (accuracy_score, confusion_matrix, mean_absolute_error, mean_squared_error,
                             precision_recall_fscore_support, r2_score)

f32 = lambda a: np.asarray(a, dtype=np.float32).astype(np.float64)

# Regression: 7 samples, 3 outputs; the third output's targets are constant (scikit-learn's R^2 edge case).
reg_true = f32([[1.5, -2.0, 3.0], [0.25, 4.0, 3.0], [2.0, 1.0, 3.0], [-1.0, 0.5, 3.0], [3.5, 2.5, 3.0], [0.0, -1.5, 3.0], [1.25, 3.0, 3.0]])
reg_pred = f32([[1.25, -1.5, 3.0], [0.5, 3.0, 3.1], [2.5, 1.5, 2.9], [-0.5, 0.0, 3.0], [3.0, 2.0, 3.0], [0.5, -1.0, 3.2], [1.0, 3.5, 3.0]])

def regression(t, p):
    return {
        "true": t.tolist(), "pred": p.tolist(),
        "mse": mean_squared_error(t, p), "rmse": mean_squared_error(t, p, squared=False),
        "mae": mean_absolute_error(t, p), "r2": r2_score(t, p),
        "mse_per_output": mean_squared_error(t, p, multioutput="raw_values").tolist(),
        "rmse_per_output": mean_squared_error(t, p, multioutput="raw_values", squared=False).tolist(),
        "mae_per_output": mean_absolute_error(t, p, multioutput="raw_values").tolist(),
        "r2_per_output": r2_score(t, p, multioutput="raw_values").tolist(),
    }

# Classification, 4 classes as one-hot targets and scores (argmax); class 3 is never predicted (zero_division=0).
labels = [0, 1, 2, 3, 1, 2, 0, 0, 2, 1, 3, 2]
scores = f32([[0.7, 0.1, 0.1, 0.1], [0.2, 0.6, 0.1, 0.1], [0.1, 0.2, 0.6, 0.1], [0.3, 0.1, 0.5, 0.1],
              [0.5, 0.3, 0.1, 0.1], [0.1, 0.1, 0.7, 0.1], [0.1, 0.8, 0.05, 0.05], [0.6, 0.2, 0.1, 0.1],
              [0.2, 0.2, 0.5, 0.1], [0.1, 0.7, 0.1, 0.1], [0.4, 0.3, 0.2, 0.1], [0.1, 0.3, 0.4, 0.2]])
onehot = np.eye(4)[labels]
predicted = scores.argmax(axis=1)

def classification(y, p, n):
    precision, recall, f1, support = precision_recall_fscore_support(y, p, labels=list(range(n)), average=None, zero_division=0)
    macro = precision_recall_fscore_support(y, p, labels=list(range(n)), average="macro", zero_division=0)
    return {
        "accuracy": accuracy_score(y, p), "precision": precision.tolist(), "recall": recall.tolist(), "f1": f1.tolist(),
        "support": support.tolist(), "confusion": confusion_matrix(y, p, labels=list(range(n))).tolist(),
        "macro_precision": macro[0], "macro_recall": macro[1], "macro_f1": macro[2],
    }

# Binary, one sigmoid output: class 1 above 0.5.
bin_true = [0, 1, 1, 0, 1, 0, 0, 1, 1]
bin_score = f32([0.2, 0.9, 0.4, 0.6, 0.51, 0.5, 0.1, 0.8, 0.7])
bin_pred = (bin_score > 0.5).astype(int)

out = {
    "sklearn": __import__("sklearn").__version__,
    "regression": regression(reg_true, reg_pred),
    "multiclass": {"targets": onehot.tolist(), "scores": scores.tolist(), **classification(labels, predicted, 4)},
    "binary": {"targets": bin_true, "scores": bin_score.tolist(), **classification(bin_true, bin_pred, 2)},
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics_reference.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", path)
