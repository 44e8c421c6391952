"""Deterministic, chunk-invariant noise: a value depends only on (seed, key, time).

Random values sit at knots a fixed number of hours apart and are joined by a
smooth (cosine) interpolation, so any window of time gives the same series
whether it is generated at once or piece by piece, live or as history.
"""

from __future__ import annotations

import hashlib

import numpy as np


def _key(seed: int, key: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}/{key}".encode()).digest()[:8], "little")


def knot_values(seed: int, key: str, knots: np.ndarray) -> np.ndarray:
    """Standard-normal values, one per integer knot index, reproducible per knot."""
    base = _key(seed, key)
    out = np.empty(len(knots))
    for i, k in enumerate(knots):
        out[i] = np.random.default_rng([base, int(k) & 0xFFFFFFFFFFFF]).standard_normal()
    return out


def smooth_noise(seed: int, key: str, hours: np.ndarray, knot_hours: float) -> np.ndarray:
    """Smooth N(0, ~1) noise at `hours` (since the epoch) with knots `knot_hours` apart."""
    pos = np.asarray(hours, dtype=float) / knot_hours
    k0 = np.floor(pos).astype(np.int64)
    frac = pos - k0
    unique = np.unique(np.concatenate([k0, k0 + 1]))
    values = dict(zip(unique.tolist(), knot_values(seed, key, unique), strict=True))
    v0 = np.fromiter((values[k] for k in k0.tolist()), float, len(k0))
    v1 = np.fromiter((values[k] for k in (k0 + 1).tolist()), float, len(k0))
    w = (1 - np.cos(np.pi * frac)) / 2
    # Cosine blending of two independent normals shrinks the variance mid-way; rescale.
    return (v0 * (1 - w) + v1 * w) / np.sqrt((1 - w) ** 2 + w**2)


def epoch_hours(ts: np.ndarray) -> np.ndarray:
    """Hours since the Unix epoch of naive-UTC datetime64 values (the noise's time axis)."""
    return ts.astype("datetime64[s]").astype(np.int64) / 3600.0
