"""Synthetic ultrasound-like images with blob-shaped lesions: the demo's data set.

    image, mask = make_image(rng, size)

An image is built the way a B-mode scan looks, not the way it is formed:

  tissue    a smooth echogenicity map: a random low-frequency field times
            a brightness that falls with depth (the beam attenuates), with
            a few bright horizontal layers near the probe (skin, fascia)
  lesions   0 to 2 blobs (an ellipse whose radius wobbles with a few
            random harmonics), darker than the tissue around them, with
            a brighter or darker band below them (posterior enhancement
            or shadowing); the mask is their union
  ducts     0 to 2 long thin dark ellipses that are not lesions, so that
            "dark" alone is not the answer
  speckle   the echogenicity times a Rayleigh-distributed speckle whose
            grain is a couple of pixels (the magnitude of a smoothed
            complex Gaussian field)

Everything is drawn from the numpy Generator passed in, so a seed fixes
the data set.  Images are uint8 (0..255), masks uint8 (0 or 1).
"""

import numpy as np


def blur(field, sigma):
    """Gaussian blur of a 2-D array (periodic borders: only noise is blurred)."""
    fy = np.fft.fftfreq(field.shape[0])[:, None]
    fx = np.fft.fftfreq(field.shape[1])[None, :]
    gain = np.exp(-2.0 * (np.pi * sigma) ** 2 * (fx * fx + fy * fy))
    return np.fft.ifft2(np.fft.fft2(field) * gain)


def smooth_noise(rng, size, sigma):
    """A low-frequency random field scaled to [0, 1]."""
    field = blur(rng.standard_normal((size, size)), sigma).real
    return (field - field.min()) / (field.max() - field.min())


def blob(rng, size, yy, xx, ry_range, rx_range):
    """A random blob (boolean mask), its centre row and its radius along y;
    the radii are drawn from the ranges, as fractions of the size."""
    cy, cx = rng.uniform(0.2 * size, 0.8 * size, 2)
    ry = rng.uniform(*ry_range) * size
    rx = rng.uniform(*rx_range) * size
    angle = rng.uniform(0, np.pi)
    dy, dx = yy - cy, xx - cx
    u = (dx * np.cos(angle) + dy * np.sin(angle)) / rx
    v = (-dx * np.sin(angle) + dy * np.cos(angle)) / ry
    theta = np.arctan2(v, u)
    wobble = 1.0
    for k in (2, 3, 4):
        wobble = wobble + rng.uniform(0, 0.12) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    return np.hypot(u, v) < wobble, cy, ry


def tissue(rng, size, yy):
    """Echogenicity of lesion-free tissue: texture, depth attenuation, layers."""
    echo = 0.55 + 0.45 * smooth_noise(rng, size, size / 10)
    echo *= np.exp(-rng.uniform(0.3, 1.2) * yy / size)
    for _ in range(rng.integers(1, 4)):
        depth = rng.uniform(0.03, 0.3) * size
        tilt = rng.uniform(-0.1, 0.1)
        width = rng.uniform(1.0, 2.5)
        line = np.exp(-0.5 * ((yy - depth - tilt * np.arange(size)) / width) ** 2)
        echo += rng.uniform(0.3, 0.8) * line
    return echo


def make_image(rng, size=128, lesions=None):
    """One image and its lesion mask; `lesions` fixes their number (else 0..2)."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    echo = tissue(rng, size, yy)
    mask = np.zeros((size, size), dtype=bool)

    count = rng.choice(3, p=(0.15, 0.6, 0.25)) if lesions is None else lesions
    for _ in range(count):
        inside, cy, ry = blob(rng, size, yy, xx, (0.06, 0.18), (0.06, 0.18))
        # The border is soft in the image (a few pixels), sharp in the mask.
        soft = blur(inside.astype(np.float64), 1.2).real
        echo *= 1.0 - rng.uniform(0.55, 0.8) * soft
        # Below a lesion the beam is stronger (fluid) or weaker (solid mass).
        below = (yy > cy + ry) & (soft.max(axis=0, keepdims=True) > 0.5)
        band = blur(below.astype(np.float64), 3.0).real
        echo *= 1.0 + rng.uniform(-0.3, 0.4) * band
        mask |= inside

    for _ in range(rng.integers(0, 3)):
        duct, _, _ = blob(rng, size, yy, xx, (0.01, 0.025), (0.12, 0.3))
        dark = duct & ~mask
        echo *= 1.0 - rng.uniform(0.4, 0.7) * blur(dark.astype(np.float64), 1.0).real

    grain = blur(rng.standard_normal((size, size)) + 1j * rng.standard_normal((size, size)), 0.9)
    speckle = np.abs(grain)
    image = echo * speckle / speckle.mean()
    image = np.clip(image * rng.uniform(90, 130), 0, 255)
    return image.astype(np.uint8), mask.astype(np.uint8)


def make_set(seed, count, size=128, lesions=None):
    """`count` images and masks as (count, size, size) uint8 arrays."""
    rng = np.random.default_rng(seed)
    pairs = [make_image(rng, size, lesions) for _ in range(count)]
    return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])
