"""UNeXt and UNeXt-S (Valanarasu & Patel, MICCAI 2022), written for Sinter's examples.

A U-shaped network: three conv stages (conv -> BN -> max-pool -> ReLU), two
tokenized MLP stages whose MLPs shift the feature map channel-group by
channel-group before each Linear ("shifted MLP"), and a mirrored decoder
with bilinear x2 upsampling and additive skips.

The module layout and the torch calls (torch.chunk, torch.roll, F.pad,
torch.narrow, flatten(2), view/reshape, nn.GELU, nn.LayerNorm) follow the
authors' code so that torch.onnx.export (torch 1.13) emits the same node
patterns as an export of the original network.  Only the channel widths are
parameters, so reduced variants keep every pattern.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

# Channel widths (c1..c5): three conv stages c1, c2, c3; token stages c4, c5.
UNEXT_DIMS = (16, 32, 128, 160, 256)
UNEXT_S_DIMS = (8, 16, 32, 64, 128)

SHIFT_SIZE = 5  # channel groups of the shifted MLP, shifted by -2..2


def shift_feature_map(x, H, W, axis):
    """Roll channel group i of the (B, N, C) token tensor x by i - 2 pixels
    along spatial `axis` (2 = H, 3 = W) and return it as tokens again.

    Zero padding by 2 on each side first, so that what rolls out of the map
    is zeros; the narrow() calls crop the padding off again.  Group sizes
    come from torch.chunk: ceil(C / 5), the last group takes the rest.
    """
    B, N, C = x.shape
    pad = SHIFT_SIZE // 2
    img = x.transpose(1, 2).view(B, C, H, W).contiguous()
    img = F.pad(img, (pad, pad, pad, pad), "constant", 0)
    groups = torch.chunk(img, SHIFT_SIZE, 1)
    rolled = [torch.roll(g, s, axis) for g, s in zip(groups, range(-pad, pad + 1))]
    img = torch.cat(rolled, 1)
    img = torch.narrow(img, 2, pad, H)
    img = torch.narrow(img, 3, pad, W)
    return img.reshape(B, C, H * W).contiguous().transpose(1, 2)


class DWConv(nn.Module):
    """Depthwise 3x3 conv applied to tokens viewed as a (B, C, H, W) map."""

    def __init__(self, dim):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 3, 1, 1, bias=True, groups=dim)

    def forward(self, x, H, W):
        B, N, C = x.shape
        x = x.transpose(1, 2).view(B, C, H, W)
        x = self.dwconv(x)
        return x.flatten(2).transpose(1, 2)


class ShiftMLP(nn.Module):
    """shift(H) -> fc1 -> DWConv -> GELU -> shift(W) -> fc2 (hidden = dim)."""

    def __init__(self, dim):
        super().__init__()
        self.fc1 = nn.Linear(dim, dim)
        self.dwconv = DWConv(dim)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(dim, dim)

    def forward(self, x, H, W):
        x = self.fc1(shift_feature_map(x, H, W, 2))
        x = self.act(self.dwconv(x, H, W))
        return self.fc2(shift_feature_map(x, H, W, 3))


class ShiftedBlock(nn.Module):
    """Pre-norm residual block around the shifted MLP."""

    def __init__(self, dim):
        super().__init__()
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = ShiftMLP(dim)

    def forward(self, x, H, W):
        return x + self.mlp(self.norm2(x), H, W)


class OverlapPatchEmbed(nn.Module):
    """3x3 stride-2 conv, then flatten to (B, H*W, C) tokens and LayerNorm."""

    def __init__(self, in_chans, embed_dim):
        super().__init__()
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=3, stride=2, padding=1)
        self.norm = nn.LayerNorm(embed_dim)

    def forward(self, x):
        x = self.proj(x)
        _, _, H, W = x.shape
        x = x.flatten(2).transpose(1, 2)
        return self.norm(x), H, W


def tokens_to_map(x, B, H, W):
    """(B, H*W, C) tokens -> (B, C, H, W) feature map."""
    return x.reshape(B, H, W, -1).permute(0, 3, 1, 2).contiguous()


def up2(x):
    """Bilinear x2 upsampling (exports as Resize with constant scales)."""
    return F.interpolate(x, scale_factor=(2, 2), mode="bilinear")


class UNext(nn.Module):
    """UNeXt with widths dims = (c1, c2, c3, c4, c5) on images of in_chans
    channels; input height and width must be multiples of 32 (three
    max-pools and two stride-2 embeddings)."""

    def __init__(self, num_classes=1, dims=UNEXT_DIMS, in_chans=3):
        super().__init__()
        c1, c2, c3, c4, c5 = dims
        self.encoder1 = nn.Conv2d(in_chans, c1, 3, stride=1, padding=1)
        self.encoder2 = nn.Conv2d(c1, c2, 3, stride=1, padding=1)
        self.encoder3 = nn.Conv2d(c2, c3, 3, stride=1, padding=1)
        self.ebn1 = nn.BatchNorm2d(c1)
        self.ebn2 = nn.BatchNorm2d(c2)
        self.ebn3 = nn.BatchNorm2d(c3)

        self.patch_embed3 = OverlapPatchEmbed(c3, c4)
        self.patch_embed4 = OverlapPatchEmbed(c4, c5)
        self.block1 = nn.ModuleList([ShiftedBlock(c4)])
        self.block2 = nn.ModuleList([ShiftedBlock(c5)])
        self.dblock1 = nn.ModuleList([ShiftedBlock(c4)])
        self.dblock2 = nn.ModuleList([ShiftedBlock(c3)])
        self.norm3 = nn.LayerNorm(c4)
        self.norm4 = nn.LayerNorm(c5)
        self.dnorm3 = nn.LayerNorm(c4)
        self.dnorm4 = nn.LayerNorm(c3)

        self.decoder1 = nn.Conv2d(c5, c4, 3, stride=1, padding=1)
        self.decoder2 = nn.Conv2d(c4, c3, 3, stride=1, padding=1)
        self.decoder3 = nn.Conv2d(c3, c2, 3, stride=1, padding=1)
        self.decoder4 = nn.Conv2d(c2, c1, 3, stride=1, padding=1)
        self.decoder5 = nn.Conv2d(c1, c1, 3, stride=1, padding=1)
        self.dbn1 = nn.BatchNorm2d(c4)
        self.dbn2 = nn.BatchNorm2d(c3)
        self.dbn3 = nn.BatchNorm2d(c2)
        self.dbn4 = nn.BatchNorm2d(c1)
        self.final = nn.Conv2d(c1, num_classes, kernel_size=1)

    @staticmethod
    def conv_stage(conv, bn, x):
        return F.relu(F.max_pool2d(bn(conv(x)), 2, 2))

    @staticmethod
    def up_stage(conv, bn, x):
        return F.relu(up2(bn(conv(x))))

    @staticmethod
    def token_stage(blocks, norm, x, B, H, W):
        for blk in blocks:
            x = blk(x, H, W)
        return tokens_to_map(norm(x), B, H, W)

    def forward(self, x):
        B = x.shape[0]
        t1 = self.conv_stage(self.encoder1, self.ebn1, x)
        t2 = self.conv_stage(self.encoder2, self.ebn2, t1)
        t3 = self.conv_stage(self.encoder3, self.ebn3, t2)

        out, H, W = self.patch_embed3(t3)
        t4 = self.token_stage(self.block1, self.norm3, out, B, H, W)
        out, H, W = self.patch_embed4(t4)
        out = self.token_stage(self.block2, self.norm4, out, B, H, W)

        out = torch.add(self.up_stage(self.decoder1, self.dbn1, out), t4)
        _, _, H, W = out.shape
        out = self.token_stage(self.dblock1, self.dnorm3, out.flatten(2).transpose(1, 2), B, H, W)

        out = torch.add(self.up_stage(self.decoder2, self.dbn2, out), t3)
        _, _, H, W = out.shape
        out = self.token_stage(self.dblock2, self.dnorm4, out.flatten(2).transpose(1, 2), B, H, W)

        out = torch.add(self.up_stage(self.decoder3, self.dbn3, out), t2)
        out = torch.add(self.up_stage(self.decoder4, self.dbn4, out), t1)
        out = F.relu(up2(self.decoder5(out)))
        return self.final(out)


def unext(num_classes=1, dims=UNEXT_DIMS):
    return UNext(num_classes, dims)


def unext_s(num_classes=1, dims=UNEXT_S_DIMS):
    return UNext(num_classes, dims)
