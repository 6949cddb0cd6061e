"""A two-layer bidirectional LSTM with a linear head, written for Sinter's examples.

    nn.LSTM(features, hidden, num_layers=2, bidirectional=True)  (batch_first=False)
    -> the output of the last time step, out[-1]  (N, 2 * hidden)
    -> nn.Linear(2 * hidden, classes)

The input is sequence-first, (T, N, C) = (50, 1, 64) for the benchmark,
which is ONNX's own LSTM layout (layout = 0), so the exporter needs no
Transpose at the input.  torch 1.13 exports each layer as one
bidirectional LSTM node (weights reordered from PyTorch's i, f, g, o gates
to ONNX's i, o, f, c, the two bias vectors concatenated, zero initial
states as constant inputs) whose (T, 2, N, H) output is transposed and
reshaped to (T, N, 2H) for the next layer.  out[-1] holds the forward
direction after the whole sequence and the backward direction after its
first step (the sequence's last element), the usual "last step" idiom.
"""

import torch.nn as nn

LSTM2_DIMS = dict(features=64, hidden=128, classes=10)
LSTM2_SMALL_DIMS = dict(features=64, hidden=32, classes=10)


class LSTM2(nn.Module):
    def __init__(self, features=64, hidden=128, classes=10):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, num_layers=2, bidirectional=True)
        self.fc = nn.Linear(2 * hidden, classes)

    def forward(self, x):
        out, _ = self.lstm(x)  # (T, N, 2 * hidden); the final states are unused
        return self.fc(out[-1])


def lstm2(small=False):
    """The benchmark network or, with small, the reduced fixture variant
    (hidden 32; the sequence length comes from the input: 50 / 20)."""
    return LSTM2(**(LSTM2_SMALL_DIMS if small else LSTM2_DIMS))
