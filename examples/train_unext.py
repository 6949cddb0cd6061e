#!/usr/bin/python3
"""Train the demo's lesion segmenter and export it with its sample images.

    /usr/bin/python3 examples/train_unext.py [--out examples/demo] [--steps 2000]

A UNeXt with UNeXt-S's widths on one-channel 128x128 images learns to find
the lesions of examples/ultrasound.py's synthetic scans, on the CPU with
one thread (3.3 minutes of CPU, data included).  It writes to --out:

  unext_us.onnx          the trained model (opset 13): image float32[1,1,128,128]
                         -> logits float32[1,1,128,128], lesion where logit > 0
  sampleK.png            K = 1..3: images none of training saw
  sampleK_truth.png      their ground-truth masks (0 or 255)
  sampleK_expected.png   PyTorch's masks for them: what the compiled model
                         must reproduce (tests/test_demo.c)

and prints the training time, the validation Dice and each sample's Dice.

Every number is drawn from fixed seeds and the run is deterministic
(torch.use_deterministic_algorithms, one thread): on the same machine and
versions it writes the same files.  Runs with Debian's python3-torch (1.13),
python3-onnx and numpy.
"""

import argparse
import os
import struct
import sys
import time
import warnings
import zlib

import numpy as np
import onnx
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "models"))

import ultrasound  # noqa: E402
import unext  # noqa: E402

SIZE = 128
# Pixels are normalised as (value / 255 - MEAN) / STD, the data set's mean
# and standard deviation rounded; examples/segment.c does the same.
MEAN, STD = 0.25, 0.18
# Separate seeds for each set, so that no sample or validation image is
# one training saw.
TRAIN_SEED, VAL_SEED, SAMPLE_SEED, TORCH_SEED = 1, 2, 3, 0
TRAIN_IMAGES, VAL_IMAGES, SAMPLES = 1536, 64, 3
BATCH = 8


def normalise(images):
    """uint8 (N, H, W) -> float32 (N, 1, H, W), as the model is fed."""
    x = torch.from_numpy(images).float().unsqueeze(1)
    return (x / 255.0 - MEAN) / STD


def loss_fn(logits, target):
    """BCE plus soft Dice, as UNeXt's authors train it: BCE for every pixel,
    Dice so that the small lesions are not outweighed by the background."""
    bce = F.binary_cross_entropy_with_logits(logits, target)
    prob = torch.sigmoid(logits).flatten(1)
    target = target.flatten(1)
    dice = (2 * (prob * target).sum(1) + 1) / (prob.sum(1) + target.sum(1) + 1)
    return 0.5 * bce + (1 - dice).mean()


def dice(pred, truth):
    """Dice of two binary masks; 1 when both are empty."""
    total = int(pred.sum() + truth.sum())
    return 1.0 if total == 0 else 2.0 * int((pred & truth).sum()) / total


class ContiguousGrad(torch.autograd.Function):
    """The identity, whose backward hands on its gradient contiguous.

    torch 1.13's CPU gelu_backward (Debian's python3-torch) computes
    garbage when the incoming gradient is transposed and GELU's input is
    not: values of 1e25 to 1e31 that change from run to run.  UNeXt's
    shifted MLP sends exactly such a gradient back into its GELU (the
    shift that follows it starts with a transpose), so every GELU's output
    passes through this while training."""

    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return grad.contiguous()


def train(model, images, masks, steps):
    """Adam with a cosine-decaying learning rate over random batches;
    half of them mirrored left to right (depth runs down, so no up-down)."""
    hooks = [m.register_forward_hook(lambda module, inputs, out: ContiguousGrad.apply(out))
             for m in model.modules() if isinstance(m, torch.nn.GELU)]
    gen = torch.Generator().manual_seed(TORCH_SEED)
    x_all, y_all = normalise(images), torch.from_numpy(masks).float().unsqueeze(1)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    model.train()
    for step in range(steps):
        idx = torch.randint(len(images), (BATCH,), generator=gen)
        x, y = x_all[idx], y_all[idx]
        if torch.rand((), generator=gen) < 0.5:
            x, y = x.flip(3), y.flip(3)
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0 or step == steps - 1:
            print(f"  step {step:4d}  loss {loss.item():.4f}", flush=True)
    for hook in hooks:  # the export sees the model as it was
        hook.remove()
    model.eval()


@torch.no_grad()
def predict(model, images):
    """Binary masks (N, H, W) uint8: lesion where the logit is > 0."""
    return (model(normalise(images))[:, 0] > 0).numpy().astype(np.uint8)


def write_png(path, pixels):
    """An 8-bit grayscale PNG of a (H, W) uint8 array (no dependency)."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    height, width = pixels.shape
    rows = b"".join(b"\0" + row.tobytes() for row in pixels)  # filter type 0 per row
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
                chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def export(model, path):
    """ONNX, opset 13, for one image; checked after writing.  torch 1.13
    warns about steps of UNeXt's shift that it cannot fold: not ours."""
    warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, SIZE, SIZE), path, opset_version=13,
                      input_names=["image"], output_names=["logits"], do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path), full_check=True)


def write_samples(model, out):
    """sampleK.png, its truth and PyTorch's mask; returns each sample's Dice."""
    images, truths = ultrasound.make_set(SAMPLE_SEED, SAMPLES, SIZE, lesions=1)
    preds = predict(model, images)
    for k in range(SAMPLES):
        stem = os.path.join(out, f"sample{k + 1}")
        write_png(stem + ".png", images[k])
        write_png(stem + "_truth.png", truths[k] * 255)
        write_png(stem + "_expected.png", preds[k] * 255)
    return [dice(p, t) for p, t in zip(preds, truths)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(HERE, "demo"), help="output directory")
    ap.add_argument("--steps", type=int, default=2000, help="training steps of %d images" % BATCH)
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(TORCH_SEED)  # the initial weights

    start = time.time()
    images, masks = ultrasound.make_set(TRAIN_SEED, TRAIN_IMAGES, SIZE)
    val_images, val_masks = ultrasound.make_set(VAL_SEED, VAL_IMAGES, SIZE)
    print(f"data: {TRAIN_IMAGES} + {VAL_IMAGES} images in {time.time() - start:.0f} s")

    model = unext.UNext(num_classes=1, dims=unext.UNEXT_S_DIMS, in_chans=1)
    start, cpu = time.time(), time.process_time()
    train(model, images, masks, args.steps)
    print(f"training: {args.steps} steps in {time.time() - start:.0f} s "
          f"({time.process_time() - cpu:.0f} s of CPU)")

    preds = predict(model, val_images)
    print(f"validation Dice {dice(preds, val_masks):.4f} "
          f"over {VAL_IMAGES} images (all pixels together)")

    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "unext_us.onnx")
    export(model, path)
    print(f"{path}: {os.path.getsize(path)} bytes")
    for k, d in enumerate(write_samples(model, args.out)):
        print(f"sample{k + 1}: Dice {d:.4f}")
    print(f"all of it: {time.process_time():.0f} s of CPU")


if __name__ == "__main__":
    main()
