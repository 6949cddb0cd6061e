"""A small MobileNetV3-style classifier, written for Sinter's examples.

Depthwise-separable inverted-residual blocks with hard activations, in the
layout of MobileNetV3 (Howard et al., ICCV 2019) and torchvision's
implementation, but shorter (7 blocks):

    stem:   Conv 3x3 s2 -> BN -> Hardswish
    block:  [Conv 1x1 expand -> BN -> ReLU or Hardswish]
            Conv kxk depthwise (k = 3 or 5, stride 1 or 2) -> BN -> Hardswish
            [squeeze-excite: AdaptiveAvgPool 1 -> Conv 1x1 -> ReLU
                             -> Conv 1x1 -> Hardsigmoid, times the input]
            Conv 1x1 project -> BN
            (+ the block input when stride 1 and channels in == out)
    head:   Conv 1x1 -> BN -> Hardswish -> AdaptiveAvgPool 1 -> Linear

Every BN directly follows its conv, so torch.onnx.export folds them all.
At opset 13 torch 1.13 exports nn.Hardswish as HardSigmoid(alpha = 1/6,
beta = 0.5) followed by Mul with its own input (HardSwish only exists from
opset 14, where torch emits it instead), and nn.Hardsigmoid as HardSigmoid;
the squeeze-excite gate is a HardSigmoid whose (N, C, 1, 1) output is
broadcast in a Mul.  Widths are parameters, so a reduced variant keeps
every pattern.
"""

import torch.nn as nn

# One row per inverted-residual block:
# (kernel, expanded channels, output channels, squeeze-excite, expand activation, stride)
# "RE" = ReLU, "HS" = Hardswish (the depthwise conv is always followed by Hardswish).
MOBILENET_HS_BLOCKS = (
    (3, 16, 16, True, "RE", 2),    # no expand conv (expanded == input channels)
    (3, 72, 24, False, "RE", 2),
    (3, 88, 24, False, "RE", 1),   # residual
    (5, 96, 40, True, "HS", 2),
    (5, 240, 40, True, "HS", 1),   # residual
    (5, 144, 48, True, "HS", 1),   # 40 -> 48: no residual
    (5, 288, 96, True, "HS", 2),
)
MOBILENET_HS = dict(stem=16, blocks=MOBILENET_HS_BLOCKS, head=576, num_classes=1000)

# The reduced variant of the test fixtures: the same rows at about a third
# of the widths (the squeeze width stays >= 4).
MOBILENET_HS_SMALL_BLOCKS = (
    (3, 8, 8, True, "RE", 2),
    (3, 24, 12, False, "RE", 2),
    (3, 28, 12, False, "RE", 1),
    (5, 32, 16, True, "HS", 2),
    (5, 48, 16, True, "HS", 1),
    (5, 40, 20, True, "HS", 1),
    (5, 64, 24, True, "HS", 2),
)
MOBILENET_HS_SMALL = dict(stem=8, blocks=MOBILENET_HS_SMALL_BLOCKS, head=64, num_classes=10)


def make_divisible(v, divisor=8):
    """torchvision's rounding of the squeeze width to a multiple of 8."""
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def conv_bn_act(ch_in, ch_out, k=1, stride=1, groups=1, act=None):
    """Conv (no bias, 'same' padding) -> BN [-> activation module]."""
    layers = [nn.Conv2d(ch_in, ch_out, k, stride, (k - 1) // 2, groups=groups, bias=False),
              nn.BatchNorm2d(ch_out)]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


class SqueezeExcite(nn.Module):
    """x * Hardsigmoid(fc2(ReLU(fc1(avgpool(x))))), the fcs as 1x1 convs."""

    def __init__(self, ch, squeeze):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(ch, squeeze, 1)
        self.relu = nn.ReLU()
        self.fc2 = nn.Conv2d(squeeze, ch, 1)
        self.gate = nn.Hardsigmoid()

    def forward(self, x):
        scale = self.gate(self.fc2(self.relu(self.fc1(self.avgpool(x)))))
        return scale * x


class InvertedResidual(nn.Module):
    def __init__(self, ch_in, k, expanded, ch_out, se, act, stride, min_squeeze=8):
        super().__init__()
        act = nn.ReLU if act == "RE" else nn.Hardswish
        layers = []
        if expanded != ch_in:
            layers.append(conv_bn_act(ch_in, expanded, act=act))
        layers.append(conv_bn_act(expanded, expanded, k, stride, groups=expanded, act=nn.Hardswish))
        if se:
            layers.append(SqueezeExcite(expanded, make_divisible(expanded // 4, min_squeeze)))
        layers.append(conv_bn_act(expanded, ch_out))
        self.block = nn.Sequential(*layers)
        self.use_res = stride == 1 and ch_in == ch_out

    def forward(self, x):
        y = self.block(x)
        return y + x if self.use_res else y


class MobileNetHS(nn.Module):
    def __init__(self, stem=16, blocks=MOBILENET_HS_BLOCKS, head=576, num_classes=1000,
                 min_squeeze=8):
        super().__init__()
        layers = [conv_bn_act(3, stem, 3, 2, act=nn.Hardswish)]
        ch = stem
        for k, expanded, ch_out, se, act, stride in blocks:
            layers.append(InvertedResidual(ch, k, expanded, ch_out, se, act, stride, min_squeeze))
            ch = ch_out
        layers.append(conv_bn_act(ch, head, act=nn.Hardswish))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(head, num_classes)

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))


def mobilenet_hs(small=False):
    """The benchmark network (224x224 input) or, with small, the reduced
    fixture variant (squeeze widths rounded to multiples of 4, not 8)."""
    if small:
        return MobileNetHS(**MOBILENET_HS_SMALL, min_squeeze=4)
    return MobileNetHS(**MOBILENET_HS)
