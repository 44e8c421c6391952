"""Pattern detectors for what sensors and breakers do wrong: a flat-lined (stuck)
sensor, isolated spikes, breaker chatter and oscillation. Each takes one signal on a
regular scan grid and returns one boolean per point."""

from __future__ import annotations

import warnings

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index pairs of the True runs of `mask`."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def flatline(x: np.ndarray, min_run: int, tol: float = 0.0) -> np.ndarray:
    """Points of runs of at least `min_run` readings that do not move by more than `tol`:
    a live analog sensor always carries some noise, a stuck one repeats itself."""
    if min_run < 2:
        raise ValueError("a flat line needs min_run >= 2")
    same = np.zeros(x.size, dtype=bool)
    same[1:] = np.abs(np.diff(x)) <= tol  # NaN compares False: a dropout breaks the run
    out = np.zeros(x.size, dtype=bool)
    for a, b in runs(same):
        if b - a + 1 >= min_run:
            out[a - 1 : b] = True
    return out


def _rolling(x: np.ndarray, window: int, fn) -> np.ndarray:
    half = window // 2
    padded = np.pad(x, half, mode="reflect")  # "edge" would repeat one value: MAD 0
    with warnings.catch_warnings():  # a window inside a dropout is all NaN: NaN is right
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(sliding_window_view(padded, 2 * half + 1), axis=1)


def spikes(
    x: np.ndarray, window: int = 31, threshold: float = 8.0, ratio: float = 0.0
) -> np.ndarray:
    """Points further than `threshold` robust sigmas and than `ratio` times the level
    from the median of the `window` points around them (the ratio keeps a physically
    small wobble of a quiet signal from counting). The median ignores the spike itself,
    so one bad point cannot hide; a level shift moves the median with it and is not
    called a spike. Sigma is the MAD of the residuals over the whole block: over 31
    points it is itself too noisy for an 8-sigma rule."""
    med = _rolling(x, window, np.nanmedian)
    resid = np.abs(x - med)
    mad = float(np.nanmedian(resid)) * 1.4826 if np.isfinite(resid).any() else 0.0
    return resid > np.maximum(np.maximum(threshold * mad, ratio * np.abs(med)), 1e-9)


def chatter(state: np.ndarray, window: int, max_changes: int) -> np.ndarray:
    """Points where the state (a breaker's open/closed) changed more than `max_changes`
    times within the last `window` readings: a breaker that recloses once is operating,
    one that flips every scan is chattering."""
    changes = np.zeros(state.size, dtype=np.int64)
    changes[1:] = (np.diff(state) != 0) & np.isfinite(np.diff(state))
    counts = np.convolve(changes, np.ones(window, dtype=np.int64))[: state.size]
    return counts > max_changes


def oscillation(x: np.ndarray, window: int, min_cycles: int, min_amplitude: float) -> np.ndarray:
    """Points where the last `window` readings swing round their mean at least
    `min_cycles` times with a peak-to-peak of at least `min_amplitude`: an oscillating
    frequency, not the slow wander of governor response."""
    if x.size < window:
        return np.zeros(x.size, dtype=bool)
    view = sliding_window_view(np.nan_to_num(x, nan=float(np.nanmean(x))), window)
    centred = view - view.mean(axis=1, keepdims=True)
    crossings = (np.diff(np.signbit(centred).astype(np.int8), axis=1) != 0).sum(axis=1)
    swing = view.max(axis=1) - view.min(axis=1)
    hit = (crossings >= 2 * min_cycles) & (swing >= min_amplitude)
    out = np.zeros(x.size, dtype=bool)
    out[window - 1 :] = hit
    return out
