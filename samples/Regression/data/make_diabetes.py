#!/usr/bin/env python3
"""Writes the diabetes data set that ships with scikit-learn (Efron, Hastie, Johnstone and Tibshirani (2004), "Least
Angle Regression", Annals of Statistics; distributed with scikit-learn under its BSD 3-Clause licence) as two CSV
files, and the test R² of scikit-learn's LinearRegression on that split, which the sample prints as its baseline and
its test checks its own least-squares baseline against.

Run with Debian's interpreter (python3-sklearn): /usr/bin/python3 samples/Regression/data/make_diabetes.py
The split is fixed: every fifth patient (index 0, 5, 10, ...) is a test patient: 353 training, 89 test.
"""
import json
import os

from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score

here = os.path.dirname(os.path.abspath(__file__))
data = load_diabetes(scaled=False)
names = list(data.feature_names) + ["progression"]
test = [i for i in range(len(data.target)) if i % 5 == 0]
train = [i for i in range(len(data.target)) if i % 5 != 0]


def write(path, rows):
    with open(path, "w", newline="\n") as f:
        f.write(",".join(names) + "\n")
        for i in rows:
            values = list(data.data[i]) + [data.target[i]]
            f.write(",".join(repr(float(v)) for v in values) + "\n")


write(os.path.join(here, "diabetes_train.csv"), train)
write(os.path.join(here, "diabetes_test.csv"), test)
model = LinearRegression().fit(data.data[train], data.target[train])
r2 = r2_score(data.target[test], model.predict(data.data[test]))
with open(os.path.join(here, "diabetes_reference.json"), "w") as f:
    json.dump({"linear_regression_test_r2": r2, "train": len(train), "test": len(test)}, f, indent=2)
    f.write("\n")
print(f"{len(train)} training and {len(test)} test patients; LinearRegression test R² {r2:.4f}")
