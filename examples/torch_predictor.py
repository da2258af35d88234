#!/usr/bin/python3
"""torch_predictor.py - a PyTorch network behind candor's --model-cmd.

    candor explain --model-cmd '/usr/bin/python3 examples/torch_predictor.py \
                   --train credit.csv --label label' \
                   --data credit.csv --features age,income_k,credit_score,debt_ratio,sex \
                   --method permutation --rows 0:20 --out shap.csv

At the handshake it learns the feature names from candor, one-hot encodes
text columns and standardises numeric ones (statistics of the training CSV),
and trains a small multilayer perceptron (one hidden layer of 16 units,
Adam, full-batch, 300 epochs, seed 0, one thread, so training is the same
on every run). Each batch is answered with the sigmoid of its output: K = 1
probability.
"""
import argparse
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # see sklearn_predictor.py
import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import candor_protocol  # noqa: E402


class Encoder:
    """Numeric columns standardised (missing -> mean), text columns one-hot."""

    def __init__(self, features, rows):
        self.numeric = []
        self.mean, self.sd, self.levels = [], [], []
        for j in range(len(features)):
            col = [r[j] for r in rows]
            try:
                vals = np.array([float(v) for v in col if v != ""])
                self.numeric.append(True)
                self.mean.append(vals.mean())
                self.sd.append(vals.std() or 1.0)
                self.levels.append(None)
            except ValueError:
                self.numeric.append(False)
                self.mean.append(0.0)
                self.sd.append(1.0)
                self.levels.append(sorted(set(col)))

    def width(self):
        return sum(1 if n else len(l) for n, l in zip(self.numeric, self.levels))

    def __call__(self, rows):
        x = np.zeros((len(rows), self.width()), dtype=np.float32)
        for i, r in enumerate(rows):
            c = 0
            for j, v in enumerate(r):
                if self.numeric[j]:
                    x[i, c] = ((float(v) if v != "" else self.mean[j]) - self.mean[j]) / self.sd[j]
                    c += 1
                else:
                    if v in self.levels[j]:
                        x[i, c + self.levels[j].index(v)] = 1.0
                    c += len(self.levels[j])
        return torch.from_numpy(x)


def train(train_csv, label, features):
    """Encoder and trained network for `features` of the training CSV."""
    torch.manual_seed(0)
    torch.set_num_threads(1)
    header, rows = candor_protocol.read_csv_rows(train_csv)
    missing = [f for f in features + [label] if f not in header]
    if missing:
        raise ValueError("training data lacks column(s) %s" % ",".join(missing))
    idx = [header.index(f) for f in features]
    cols = [[r[i] for i in idx] for r in rows]
    enc = Encoder(features, cols)
    x = enc(cols)
    y = torch.tensor([[float(r[header.index(label)])] for r in rows])
    net = torch.nn.Sequential(torch.nn.Linear(enc.width(), 16), torch.nn.Tanh(),
                              torch.nn.Linear(16, 1))
    opt = torch.optim.Adam(net.parameters(), lr=0.02)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    for _ in range(300):
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
    net.eval()
    return enc, net


def predict_rows(enc, net, rows):
    with torch.no_grad():
        return torch.sigmoid(net(enc(rows))).double().numpy()[:, 0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", required=True, help="training CSV (with the label column)")
    ap.add_argument("--label", default="label", help="0/1 label column (default: label)")
    a = ap.parse_args()
    state = {}

    def setup(header):
        state["enc"], state["net"] = train(a.train, a.label, header)

    def predict(header, rows):
        return predict_rows(state["enc"], state["net"], rows)

    candor_protocol.serve(predict, 1, "probability", setup)


if __name__ == "__main__":
    main()
