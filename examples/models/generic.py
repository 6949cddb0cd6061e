"""Tiny generic networks for Sinter's test fixtures.

Each exercises ops of the supported list that the three seed models do not
use (or use in only one form), so that fixtures cover them end to end.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class TinyMLP(nn.Module):
    """GlobalAveragePool, Flatten, Gemm, LeakyRelu, Tanh, Sigmoid, Clip,
    Concat and Softmax on a (N, 4, 6, 6) input."""

    def __init__(self, ch=4, hw=6, hidden=24, classes=10):
        super().__init__()
        self.fc1 = nn.Linear(ch * hw * hw, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc3 = nn.Linear(2 * hidden + ch, classes)

    def forward(self, x):
        pooled = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        h = F.leaky_relu(self.fc1(torch.flatten(x, 1)), 0.1)
        a = torch.tanh(self.fc2(h))
        b = torch.clamp(torch.sigmoid(h) - 0.5, -0.3, 0.3)
        return torch.softmax(self.fc3(torch.cat((a, b, pooled), 1)), dim=1)


class TinyConvNet(nn.Module):
    """Convs with stride, dilation, groups and no bias; reflect and edge Pad;
    AveragePool with and without counting the padding; ceil-mode MaxPool;
    nearest and align_corners bilinear Resize."""

    def __init__(self, ch=6):
        super().__init__()
        self.strided = nn.Conv2d(3, ch, 3, stride=2, padding=1)
        self.dilated = nn.Conv2d(ch, ch, 3, padding=2, dilation=2, groups=2, bias=False)
        self.asym = nn.Conv2d(ch, ch, (1, 3), padding=(0, 1), groups=3)
        self.head = nn.Conv2d(2 * ch, 2, 1)

    def forward(self, x):
        x = F.relu(self.strided(F.pad(x, (1, 1, 2, 0), mode="reflect")))
        y = self.dilated(F.pad(x, (1, 1, 1, 1), mode="replicate"))
        y = F.avg_pool2d(y, 3, stride=1, padding=1, count_include_pad=True)
        y = F.avg_pool2d(y, 3, stride=2, padding=1, count_include_pad=False)
        y = F.max_pool2d(y, 2, stride=2, ceil_mode=True)
        y = F.interpolate(y, size=x.shape[2:], mode="nearest")
        z = F.interpolate(self.asym(x), scale_factor=2, mode="bilinear", align_corners=True)
        z = F.avg_pool2d(z, 2)
        return self.head(torch.cat((y, z), 1))


class TinyResNet(nn.Module):
    """3x3 convolutions of 32 and 40 channels, two with BatchNorm, a
    residual Add before a ReLU, one without padding, on a batch of two
    ragged 27x30 images: wide and deep enough that Sinter runs them by
    Winograd's F(4x4, 3x3) on every target."""

    def __init__(self, ch=32, wide=40):
        super().__init__()
        self.stem = nn.Conv2d(3, ch, 3, padding=1)
        self.conv1 = nn.Conv2d(ch, ch, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(ch)
        self.conv2 = nn.Conv2d(ch, ch, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(ch)
        self.widen = nn.Conv2d(ch, wide, 3)
        self.head = nn.Conv2d(wide, 2, 1)

    def forward(self, x):
        x = F.relu(self.stem(x))
        y = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(x + self.bn2(self.conv2(y)))
        return self.head(F.relu(self.widen(x)))


class TinyAttention(nn.Module):
    """One self-attention head over (N, T, C) tokens: rank-3 MatMul by a
    rank-2 weight and by another activation, Transpose, Softmax over the
    last axis, Sqrt/Div scaling, Exp, Neg, Unsqueeze/Squeeze, Split with
    unequal sizes, ReduceMean without keepdims and a strided Slice."""

    def __init__(self, dim=12):
        super().__init__()
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.proj = nn.Linear(dim, dim)
        self.dim = dim

    def forward(self, x):
        q, k, v = self.qkv(x).split(self.dim, dim=-1)
        scale = torch.sqrt(torch.tensor(float(self.dim)))
        attn = torch.softmax(torch.matmul(q, k.transpose(1, 2)) / scale, dim=-1)
        y = self.proj(torch.matmul(attn, v))
        head, tail = torch.split(y, [self.dim - 5, 5], dim=2)
        gate = torch.exp(-torch.abs(tail.mean(dim=2))).unsqueeze(2)
        # Even tokens first, then odd ones (T must be even).
        tail = torch.cat((tail[:, ::2, :], tail[:, 1::2, :]), 1)
        y = torch.cat((head * gate, tail), 2)
        return y.unsqueeze(1).squeeze(1)
