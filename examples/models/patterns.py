"""Small networks for the PyTorch export patterns of Sinter's op coverage.

One module per pattern that torch.onnx.export (torch 1.13) turns into ops
the seed models never use: slice assignment (ScatterND chains),
torch.einsum (Einsum), F.instance_norm (InstanceNormalization),
nn.ConvTranspose2d (ConvTranspose), torch.roll by whole turns of an axis
(out-of-range Slice bounds), torch.chunk into a list (SplitToSequence,
SequenceAt, ConcatFromSequence) and shape-checking `if`s (If).

Tracing evaluates Python control flow and unrolls lists, so the last
three patterns reach the ONNX graph only through torch.jit.script: the
modules marked SCRIPTED are exported scripted (see examples/export.py),
ChunkLoop combining a Loop over a chunk list with shape checks.
"""

from typing import List

import torch
import torch.nn as nn
import torch.nn.functional as F


class SliceAssign(nn.Module):
    """In-place writes into slices of an activation: each becomes a
    ScatterND whose indices come from a Shape/Expand/Where chain, and the
    writes chain one ScatterND into the next."""

    def __init__(self, ch=4):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x):
        y = self.conv(x)
        y[:, 1:3] = torch.tanh(x[:, 0:2])  # a block of channels
        y[:, :, ::2, -1] = 0.5  # every other row of the last column, a broadcast scalar
        y[:, 0, 1:4, 2:5] += x[:, 3, :3, :3]  # read-modify-write of a window
        return y


class EinsumNet(nn.Module):
    """torch.einsum as a 1x1 conv, a batched Gram matrix, a diagonal, a
    batched matmul, a contraction over an ellipsis and an outer product:
    each one Einsum node with the equation as written."""

    def __init__(self, ch=4, out=6):
        super().__init__()
        self.w = nn.Parameter(torch.randn(out, ch) * 0.5)
        self.v = nn.Parameter(torch.randn(out))

    def forward(self, x):
        y = torch.einsum("nchw,dc->ndhw", x, self.w)
        t = y.flatten(2)  # (N, D, HW)
        gram = torch.einsum("bik,bjk->bij", t, t) / t.shape[-1]
        diag = torch.einsum("bii->bi", gram)
        z = torch.einsum("bij,bjk->bik", torch.softmax(gram, -1), t)
        gate = torch.einsum("...dk,d->...k", z, self.v)  # (N, HW)
        outer = torch.einsum("bi,bj->bij", diag, gate)  # (N, D, HW)
        return (z + outer).view_as(y)


class InstanceNormNet(nn.Module):
    """F.instance_norm without affine parameters (the exporter supplies
    ones and zeros), nn.InstanceNorm2d with random affine ones, and a
    1-D instance norm over flattened maps with a non-default epsilon."""

    def __init__(self, ch=4):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, padding=1)
        self.norm = nn.InstanceNorm2d(ch, affine=True)
        with torch.no_grad():  # identity affine values would hide a swap
            self.norm.weight.uniform_(0.6, 1.4)
            self.norm.bias.normal_(0.0, 0.2)

    def forward(self, x):
        y = self.norm(self.conv(F.instance_norm(x)))
        t = F.instance_norm(y.flatten(2), eps=1e-3)
        return F.relu(y) + t.view_as(y)


class ConvTransposeNet(nn.Module):
    """Transposed convs: grouped, dilated and strided with output_padding;
    non-square kernel and strides without bias; and a 1-D one."""

    def __init__(self, ch=4):
        super().__init__()
        self.up = nn.ConvTranspose2d(ch, 6, 3, stride=2, padding=1, output_padding=1,
                                     groups=2, dilation=2)
        self.wide = nn.ConvTranspose2d(6, 3, (2, 3), stride=(1, 2), padding=(0, 1), bias=False)
        self.line = nn.ConvTranspose1d(3, 2, 4, stride=3, padding=2, groups=1)

    def forward(self, x):
        y = self.wide(F.relu(self.up(x)))  # (N, 3, H', W')
        z = self.line(y.mean(2))  # (N, 2, L)
        return torch.cat((y.flatten(1), z.flatten(1)), 1)


class RollNet(nn.Module):
    """torch.roll, exported as Slice/Concat pairs with start -shift.

    Shifts of whole turns of an axis (10 on 5, -8 on 4, -6 on 3) give
    Slice starts and ends beyond the extent, which must clamp: one Slice
    of each pair is empty, the other the whole axis.  Shifts that are not whole turns
    stay inside the extent: torch 1.13's exporter does not reduce them
    modulo the extent, so a roll by 7 on 5 exports as the identity (the
    clamped slices) although torch.roll rotates by 2, and no ONNX
    consumer can match PyTorch there."""

    def forward(self, x):  # (N, C, 5, 4)
        whole = torch.roll(x, shifts=(10, -8), dims=(2, 3))
        part = torch.roll(x, shifts=(2, -1), dims=(2, 3))
        channels = torch.roll(x, shifts=-6, dims=1)
        return whole * 0.5 + part - channels * part


class ChunkSeq(nn.Module):
    """SCRIPTED.  torch.chunk into a list: SplitToSequence (8 channels in
    chunks of 3, 3 and 2), SequenceAt at constant positions including -1;
    torch.stack of a chunk list: ConcatFromSequence with a new last axis.

    (Not torch.unbind: torch 1.13 exports it as SplitToSequence with
    split = 1 and keepdims = 0, but ONNX ignores keepdims when split is
    given, so the exported elements keep the axis PyTorch drops.)"""

    def forward(self, x):  # (N, 8, H, W)
        parts = torch.chunk(x, 3, dim=1)
        head = parts[0] * torch.sigmoid(parts[1])
        # The two channels of the last chunk interleaved, (N, 1, H, W, 2),
        # then read back as (N, 2, H, W): every element moves, so a
        # misplaced one shows.
        pairs = torch.stack(torch.chunk(parts[-1], 2, dim=1), 4)
        tail = pairs.reshape(parts[2].shape)
        return torch.cat([head, parts[2] - tail], 1)


class ShapeIf(nn.Module):
    """SCRIPTED.  Shape checks before 2x2 pooling: pad an odd map by
    replicating its last row/column.  On a 5 x 6 input one If takes its
    then branch and the other its else branch."""

    def __init__(self, ch=3):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x):
        if x.shape[2] % 2 == 1:
            x = F.pad(x, (0, 0, 0, 1), mode="replicate")
        if x.shape[3] % 2 == 1:
            x = F.pad(x, (0, 1, 0, 0), mode="replicate")
        return F.avg_pool2d(self.conv(x), 2)


class ChunkLoop(nn.Module):
    """SCRIPTED.  The patterns combined: a Loop over the chunks of a
    list (trip count SequenceLength), SequenceAt by the loop counter in
    its body, and a shape-checking If choosing how to merge."""

    def __init__(self, ch=9):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 1)

    def forward(self, x):  # (N, 9, H, W)
        parts: List[torch.Tensor] = torch.chunk(self.conv(x), 3, dim=1)
        acc = parts[0]
        for i in range(1, len(parts)):
            acc = acc + torch.sigmoid(parts[i]) * float(i)
        if acc.shape[2] == acc.shape[3]:
            acc = acc.transpose(2, 3)
        else:
            acc = acc * 2.0
        return acc
