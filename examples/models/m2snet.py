"""M2SNet (Zhao et al., 2023), written for Sinter's examples.

A Res2Net-50 encoder; each of its four stages (and the stem) is reduced to
`ch` channels; a pyramid of multi-scale subtraction units (MSU) then
compares adjacent levels: |up(a) - b| at the pixel level plus the same
difference after fixed all-ones 3x3 and 5x5 filters (CNN1, shared by every
unit), summed and refined by a 3x3 conv.  The decoder adds the levels back
up to the input resolution.

The module layout and torch calls (functional conv2d with constant filters,
F.interpolate to another tensor's size, abs) follow the authors' code so
that torch.onnx.export (torch 1.13) gives the same node patterns.  Widths
are parameters for reduced variants; the stem's last width must equal ch
because the first unit subtracts the stem output itself.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from res2net import Res2Net


class CNN1(nn.Module):
    """Fixed all-ones k x k conv over ch channels -> BN -> ReLU.

    The filter and the zero bias are plain tensors, not parameters: the
    export turns each call into a constant conv with the BN folded in."""

    def __init__(self, ch, k, pad):
        super().__init__()
        self.weight = torch.ones(ch, ch, k, k)
        self.bias = torch.zeros(ch)
        self.pad = pad
        self.norm = nn.BatchNorm2d(ch)
        self.relu = nn.ReLU()

    def forward(self, x):
        out = F.conv2d(x, self.weight, self.bias, stride=1, padding=self.pad)
        return self.relu(self.norm(out))


def conv_bn_relu(ch_in, ch_out):
    return nn.Sequential(nn.Conv2d(ch_in, ch_out, kernel_size=3, padding=1),
                         nn.BatchNorm2d(ch_out), nn.ReLU(inplace=True))


def upsample_like(x, ref):
    """Bilinear resize of x to ref's spatial size (Resize with run-time sizes)."""
    return F.interpolate(x, size=ref.size()[2:], mode="bilinear")


# The ch -> ch conv-BN-ReLU modules of the decoder, in the authors' order.
UNITS = ("x5_x4", "x4_x3", "x3_x2", "x2_x1", "x5_x4_x3", "x4_x3_x2", "x3_x2_x1",
         "x5_x4_x3_x2", "x4_x3_x2_x1", "x5_dem_4", "x5_x4_x3_x2_x1",
         "level3", "level2", "level1")
OUTPUTS = ("output4", "output3", "output2")


class M2SNet(nn.Module):
    def __init__(self, ch=64, **res2net_kw):
        super().__init__()
        self.resnet = Res2Net(**res2net_kw)
        planes = res2net_kw.get("planes", (64, 128, 256, 512))
        self.conv_3 = CNN1(ch, 3, 1)
        self.conv_5 = CNN1(ch, 5, 2)
        # Reduce each encoder stage output (4 x planes channels) to ch.
        self.x5_dem_1 = conv_bn_relu(planes[3] * 4, ch)
        self.x4_dem_1 = conv_bn_relu(planes[2] * 4, ch)
        self.x3_dem_1 = conv_bn_relu(planes[1] * 4, ch)
        self.x2_dem_1 = conv_bn_relu(planes[0] * 4, ch)
        for name in UNITS:
            setattr(self, name, conv_bn_relu(ch, ch))
        self.x5_dem_5 = conv_bn_relu(planes[3] * 4, ch)
        for name in OUTPUTS:
            setattr(self, name, conv_bn_relu(ch, ch))
        self.output1 = nn.Sequential(nn.Conv2d(ch, 1, kernel_size=3, padding=1))

    def subtract(self, unit, high, low, ref):
        """Multi-scale subtraction unit: high is upsampled to ref's size and
        compared with low raw, after CNN1 3x3 and after CNN1 5x5."""
        up = upsample_like(high, ref)
        up_m1 = self.conv_3(up)
        low_m1 = self.conv_3(low)
        up_m2 = self.conv_5(up)
        low_m2 = self.conv_5(low)
        return unit(torch.abs(up - low) + torch.abs(up_m1 - low_m1) + torch.abs(up_m2 - low_m2))

    def forward(self, x):
        r = self.resnet
        x1 = r.maxpool(r.relu(r.bn1(r.conv1(x))))
        x2 = r.layer1(x1)
        x3 = r.layer2(x2)
        x4 = r.layer3(x3)
        x5 = r.layer4(x4)

        x5_dem_1 = self.x5_dem_1(x5)
        x4_dem_1 = self.x4_dem_1(x4)
        x3_dem_1 = self.x3_dem_1(x3)
        x2_dem_1 = self.x2_dem_1(x2)

        x5_4 = self.subtract(self.x5_x4, x5_dem_1, x4_dem_1, x4)
        x4_3 = self.subtract(self.x4_x3, x4_dem_1, x3_dem_1, x3)
        x3_2 = self.subtract(self.x3_x2, x3_dem_1, x2_dem_1, x2)
        x2_1 = self.subtract(self.x2_x1, x2_dem_1, x1, x1)

        x5_4_3 = self.subtract(self.x5_x4_x3, x5_4, x4_3, x4_3)
        x4_3_2 = self.subtract(self.x4_x3_x2, x4_3, x3_2, x3_2)
        x3_2_1 = self.subtract(self.x3_x2_x1, x3_2, x2_1, x2_1)

        x5_4_3_2 = self.subtract(self.x5_x4_x3_x2, x5_4_3, x4_3_2, x4_3_2)
        x4_3_2_1 = self.subtract(self.x4_x3_x2_x1, x4_3_2, x3_2_1, x3_2_1)

        x5_dem_4 = self.x5_dem_4(x5_4_3_2)
        x5_4_3_2_1 = self.subtract(self.x5_x4_x3_x2_x1, x5_dem_4, x4_3_2_1, x4_3_2_1)

        level4 = x5_4
        level3 = self.level3(x4_3 + x5_4_3)
        level2 = self.level2(x3_2 + x4_3_2 + x5_4_3_2)
        level1 = self.level1(x2_1 + x3_2_1 + x4_3_2_1 + x5_4_3_2_1)

        x5_dem_5 = self.x5_dem_5(x5)
        output4 = self.output4(upsample_like(x5_dem_5, level4) + level4)
        output3 = self.output3(upsample_like(output4, level3) + level3)
        output2 = self.output2(upsample_like(output3, level2) + level2)
        output1 = self.output1(upsample_like(output2, level1) + level1)
        return upsample_like(output1, x)


def m2snet(**kw):
    return M2SNet(**kw)
