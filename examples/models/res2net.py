"""Res2Net-50 v1b 26w 4s (Gao et al., TPAMI 2021), the encoder of M2SNet.

A ResNet-50 whose bottleneck 3x3 conv is replaced by `scale` narrower 3x3
convs in a hierarchy: the 1x1 conv output is split into `scale` groups of
`width` channels; group i (i < scale - 1) goes through its own 3x3 conv
after adding the previous group's result; the last group passes through
(or through a 3x3 average pool in the first block of a stage).  "v1b" means
a deep stem (three 3x3 convs) and average-pool downsampling in the shortcut.

Written for Sinter's examples; the torch calls (torch.split, AvgPool2d with
padding / ceil_mode) follow the authors' code so that the ONNX export has
the same node patterns.  All widths are parameters for reduced variants.
"""

import math

import torch
import torch.nn as nn


class Bottle2neck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, base_width=26, scale=4,
                 stype="normal"):
        super().__init__()
        width = int(math.floor(planes * (base_width / 64.0)))
        self.conv1 = nn.Conv2d(inplanes, width * scale, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width * scale)
        self.nums = 1 if scale == 1 else scale - 1
        if stype == "stage":
            self.pool = nn.AvgPool2d(kernel_size=3, stride=stride, padding=1)
        self.convs = nn.ModuleList([
            nn.Conv2d(width, width, kernel_size=3, stride=stride, padding=1, bias=False)
            for _ in range(self.nums)])
        self.bns = nn.ModuleList([nn.BatchNorm2d(width) for _ in range(self.nums)])
        self.conv3 = nn.Conv2d(width * scale, planes * self.expansion, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stype = stype
        self.scale = scale
        self.width = width

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        spx = torch.split(out, self.width, 1)
        parts = []
        for i in range(self.nums):
            # A 'stage' block changes resolution, so groups cannot be chained.
            sp = spx[i] if i == 0 or self.stype == "stage" else sp + spx[i]
            sp = self.relu(self.bns[i](self.convs[i](sp)))
            parts.append(sp)
        if self.scale != 1:
            last = spx[self.nums]
            parts.append(self.pool(last) if self.stype == "stage" else last)
        out = parts[0]
        for p in parts[1:]:
            out = torch.cat((out, p), 1)
        out = self.bn3(self.conv3(out))
        residual = x if self.downsample is None else self.downsample(x)
        out += residual
        return self.relu(out)


class Res2Net(nn.Module):
    """stem = widths of the three stem convs; planes = bottleneck widths of
    the four stages (outputs are 4x planes)."""

    def __init__(self, layers=(3, 4, 6, 3), base_width=26, scale=4, stem=(32, 32, 64),
                 planes=(64, 128, 256, 512), num_classes=1000):
        super().__init__()
        self.base_width = base_width
        self.scale = scale
        self.conv1 = nn.Sequential(
            nn.Conv2d(3, stem[0], 3, 2, 1, bias=False),
            nn.BatchNorm2d(stem[0]),
            nn.ReLU(inplace=True),
            nn.Conv2d(stem[0], stem[1], 3, 1, 1, bias=False),
            nn.BatchNorm2d(stem[1]),
            nn.ReLU(inplace=True),
            nn.Conv2d(stem[1], stem[2], 3, 1, 1, bias=False))
        self.bn1 = nn.BatchNorm2d(stem[2])
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.inplanes = stem[2]
        self.layer1 = self._make_layer(planes[0], layers[0])
        self.layer2 = self._make_layer(planes[1], layers[1], stride=2)
        self.layer3 = self._make_layer(planes[2], layers[2], stride=2)
        self.layer4 = self._make_layer(planes[3], layers[3], stride=2)
        # Classification head: part of the network's parameters, unused by M2SNet.
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(planes[3] * Bottle2neck.expansion, num_classes)

    def _make_layer(self, planes, blocks, stride=1):
        out_planes = planes * Bottle2neck.expansion
        downsample = None
        if stride != 1 or self.inplanes != out_planes:
            downsample = nn.Sequential(
                nn.AvgPool2d(kernel_size=stride, stride=stride, ceil_mode=True,
                             count_include_pad=False),
                nn.Conv2d(self.inplanes, out_planes, kernel_size=1, stride=1, bias=False),
                nn.BatchNorm2d(out_planes))
        layers = [Bottle2neck(self.inplanes, planes, stride, downsample, self.base_width,
                              self.scale, stype="stage")]
        self.inplanes = out_planes
        layers += [Bottle2neck(out_planes, planes, base_width=self.base_width, scale=self.scale)
                   for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def res2net50_v1b_26w_4s(**kw):
    return Res2Net(layers=(3, 4, 6, 3), base_width=26, scale=4, **kw)
