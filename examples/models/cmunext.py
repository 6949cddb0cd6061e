"""CMUNeXt (Tang et al., ISBI 2024), written for Sinter's examples.

A five-level U-Net whose encoder blocks are large-kernel depthwise convs and
inverted bottlenecks, each conv followed by GELU then BatchNorm (so the BN
cannot be folded into the conv by the exporter), max-pool down, bilinear x2
up, and "skip-fusion" decoder blocks that start with a 2-group 3x3 conv.

The module layout follows the authors' code so that torch.onnx.export
(torch 1.13) emits the same node patterns.  dims, depths and kernels are
the same parameters the authors expose; small dims give reduced variants.
"""

import torch
import torch.nn as nn

CMUNEXT = dict(dims=(16, 32, 128, 160, 256), depths=(1, 1, 1, 3, 1), kernels=(3, 3, 7, 7, 7))
CMUNEXT_S = dict(dims=(8, 16, 32, 64, 128), depths=(1, 1, 1, 1, 1), kernels=(3, 3, 7, 7, 9))
CMUNEXT_L = dict(dims=(32, 64, 128, 256, 512), depths=(1, 1, 1, 6, 3), kernels=(3, 3, 7, 7, 7))


class Residual(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x) + x


def conv_gelu_bn(ch_in, ch_out, k=1, groups=1):
    """Conv (bias, 'same' padding) -> GELU (erf form) -> BatchNorm."""
    return [nn.Conv2d(ch_in, ch_out, kernel_size=(k, k), padding=(k // 2, k // 2), groups=groups),
            nn.GELU(),
            nn.BatchNorm2d(ch_out)]


def conv_bn_relu(ch_in, ch_out):
    """3x3 conv -> BN -> ReLU; the exporter folds this BN into the conv."""
    return [nn.Conv2d(ch_in, ch_out, kernel_size=3, stride=1, padding=1, bias=True),
            nn.BatchNorm2d(ch_out),
            nn.ReLU(inplace=True)]


class conv_block(nn.Module):
    def __init__(self, ch_in, ch_out):
        super().__init__()
        self.conv = nn.Sequential(*conv_bn_relu(ch_in, ch_out))

    def forward(self, x):
        return self.conv(x)


class up_conv(nn.Module):
    def __init__(self, ch_in, ch_out):
        super().__init__()
        self.up = nn.Sequential(nn.Upsample(scale_factor=2, mode="bilinear"),
                                *conv_bn_relu(ch_in, ch_out))

    def forward(self, x):
        return self.up(x)


class CMUNeXtBlock(nn.Module):
    """depth x [residual depthwise k x k, 1x1 expand x4, 1x1 project], then a
    conv_block changing the width from ch_in to ch_out."""

    def __init__(self, ch_in, ch_out, depth=1, k=3):
        super().__init__()
        self.block = nn.Sequential(*[
            nn.Sequential(
                Residual(nn.Sequential(*conv_gelu_bn(ch_in, ch_in, k, groups=ch_in))),
                *conv_gelu_bn(ch_in, ch_in * 4),
                *conv_gelu_bn(ch_in * 4, ch_in))
            for _ in range(depth)])
        self.up = conv_block(ch_in, ch_out)

    def forward(self, x):
        return self.up(self.block(x))


class fusion_conv(nn.Module):
    """Skip fusion: 2-group 3x3 conv, 1x1 expand to 4 x ch_out, 1x1 project."""

    def __init__(self, ch_in, ch_out):
        super().__init__()
        self.conv = nn.Sequential(*conv_gelu_bn(ch_in, ch_in, 3, groups=2),
                                  *conv_gelu_bn(ch_in, ch_out * 4),
                                  *conv_gelu_bn(ch_out * 4, ch_out))

    def forward(self, x):
        return self.conv(x)


class CMUNeXt(nn.Module):
    """Input height and width must be multiples of 16 (four max-pools)."""

    def __init__(self, input_channel=3, num_classes=1, dims=CMUNEXT["dims"],
                 depths=CMUNEXT["depths"], kernels=CMUNEXT["kernels"]):
        super().__init__()
        self.Maxpool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.stem = conv_block(input_channel, dims[0])
        self.encoder1 = CMUNeXtBlock(dims[0], dims[0], depths[0], kernels[0])
        self.encoder2 = CMUNeXtBlock(dims[0], dims[1], depths[1], kernels[1])
        self.encoder3 = CMUNeXtBlock(dims[1], dims[2], depths[2], kernels[2])
        self.encoder4 = CMUNeXtBlock(dims[2], dims[3], depths[3], kernels[3])
        self.encoder5 = CMUNeXtBlock(dims[3], dims[4], depths[4], kernels[4])
        self.Up5 = up_conv(dims[4], dims[3])
        self.Up_conv5 = fusion_conv(dims[3] * 2, dims[3])
        self.Up4 = up_conv(dims[3], dims[2])
        self.Up_conv4 = fusion_conv(dims[2] * 2, dims[2])
        self.Up3 = up_conv(dims[2], dims[1])
        self.Up_conv3 = fusion_conv(dims[1] * 2, dims[1])
        self.Up2 = up_conv(dims[1], dims[0])
        self.Up_conv2 = fusion_conv(dims[0] * 2, dims[0])
        self.Conv_1x1 = nn.Conv2d(dims[0], num_classes, kernel_size=1, stride=1, padding=0)

    def forward(self, x):
        x1 = self.encoder1(self.stem(x))
        x2 = self.encoder2(self.Maxpool(x1))
        x3 = self.encoder3(self.Maxpool(x2))
        x4 = self.encoder4(self.Maxpool(x3))
        x5 = self.encoder5(self.Maxpool(x4))

        d5 = self.Up_conv5(torch.cat((x4, self.Up5(x5)), dim=1))
        d4 = self.Up_conv4(torch.cat((x3, self.Up4(d5)), dim=1))
        d3 = self.Up_conv3(torch.cat((x2, self.Up3(d4)), dim=1))
        d2 = self.Up_conv2(torch.cat((x1, self.Up2(d3)), dim=1))
        return self.Conv_1x1(d2)


def cmunext(**kw):
    return CMUNeXt(**{**CMUNEXT, **kw})


def cmunext_s(**kw):
    return CMUNeXt(**{**CMUNEXT_S, **kw})


def cmunext_l(**kw):
    return CMUNeXt(**{**CMUNEXT_L, **kw})
