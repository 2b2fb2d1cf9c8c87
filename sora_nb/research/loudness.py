"""Loudness (ITU-R BS.1770-4 / EBU R 128) and silence, from decoded samples, with numpy alone.

Why not pyloudnorm: it pulls in scipy (tens of megabytes) for two biquad filters. The K-weighting
filters are applied here in the frequency domain instead (the filters' exact response times the
signal's FFT, zero-padded so the response's tail cannot wrap around), which equals a time-domain
IIR filter to far below a hundredth of a dB. Gating and channel weights follow BS.1770-4; the
tests check EBU Tech 3341's reference signals.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

#: The sample rate the K-weighting coefficients below are defined at; audio is resampled to it.
RATE = 48_000
#: BS.1770-4 stage 1 (a high shelf modelling the head) at 48 kHz: numerator, denominator.
_SHELF = (
    (1.53512485958697, -2.69169618940638, 1.19839281085285),
    (1.0, -1.69065929318241, 0.73248077421585),
)
#: BS.1770-4 stage 2 (the RLB high-pass) at 48 kHz.
_HIGHPASS = ((1.0, -2.0, 1.0), (1.0, -1.99004745483398, 0.99007225036621))
#: Gating blocks: 400 ms long, a new one every 100 ms (75 % overlap).
BLOCK_SECONDS = 0.4
STEP_SECONDS = 0.1
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
#: A 100 ms window quieter than this (RMS, dB full scale) counts as silence.
SILENCE_DBFS = -50.0
#: Surround channels weigh 1.41 (+1.5 dB); the LFE channel is left out.
_SURROUND = {"SL", "SR", "BL", "BR", "LS", "RS"}
#: Padding after the signal before the FFT: the filters' tails decay far below 1e-30 by then.
_PAD = RATE // 2

Samples = npt.NDArray[np.float64]


def channel_weights(names: Sequence[str]) -> list[float]:
    """BS.1770 weights for channels named like FFmpeg does (FL, FR, FC, LFE, BL, BR ...)."""
    weights = []
    for name in names:
        upper = name.upper()
        weights.append(0.0 if upper == "LFE" else 1.41 if upper in _SURROUND else 1.0)
    return weights


def k_weight(samples: Samples) -> Samples:
    """Apply the K-weighting filter to each channel (rows) of 48 kHz samples."""
    length = samples.shape[1]
    if length == 0:
        return np.zeros_like(samples)
    size = _fast_length(length + _PAD)
    omega = np.exp(-1j * np.linspace(0.0, np.pi, size // 2 + 1))
    response = np.ones_like(omega)
    for b, a in (_SHELF, _HIGHPASS):
        response *= (b[0] + b[1] * omega + b[2] * omega**2) / (
            a[0] + a[1] * omega + a[2] * omega**2
        )
    spectrum = np.fft.rfft(samples, n=size, axis=1) * response
    filtered: Samples = np.fft.irfft(spectrum, n=size, axis=1)[:, :length]
    return filtered


def integrated_loudness(samples: Samples, weights: Sequence[float] | None = None) -> float | None:
    """Integrated loudness in LUFS of 48 kHz samples (channels x samples, full scale = 1.0).

    Returns None when nothing is above the absolute gate (silence, or shorter than 400 ms).
    """
    squares = _block_powers(k_weight(np.asarray(samples, dtype=np.float64)))
    if squares.shape[1] == 0:
        return None
    g = np.asarray(weights if weights is not None else [1.0] * squares.shape[0], dtype=np.float64)
    if g.shape[0] != squares.shape[0]:
        raise ValueError(f"{g.shape[0]} channel weights given for {squares.shape[0]} channels")
    power = g @ squares  # weighted sum over channels, per block
    with np.errstate(divide="ignore"):
        block_lufs = -0.691 + 10 * np.log10(power)
    above = block_lufs > ABSOLUTE_GATE_LUFS
    if not above.any():
        return None
    relative = -0.691 + 10 * np.log10(power[above].mean()) + RELATIVE_GATE_LU
    kept = above & (block_lufs > relative)
    return float(-0.691 + 10 * np.log10(power[kept].mean()))


def silence_ratio(samples: Samples, threshold_dbfs: float = SILENCE_DBFS) -> float:
    """The share of 100 ms windows whose level (RMS over all channels) is below the threshold."""
    data = np.asarray(samples, dtype=np.float64)
    step = int(RATE * STEP_SECONDS)
    windows = data.shape[1] // step
    if windows == 0:
        return 1.0
    trimmed = data[:, : windows * step].reshape(data.shape[0], windows, step)
    mean_square = (trimmed**2).mean(axis=(0, 2))
    with np.errstate(divide="ignore"):
        level = 10 * np.log10(mean_square)
    return float(np.mean(level < threshold_dbfs))


def _block_powers(filtered: Samples) -> Samples:
    """Mean square per channel of each 400 ms gating block (channels x blocks)."""
    block, step = int(RATE * BLOCK_SECONDS), int(RATE * STEP_SECONDS)
    length = filtered.shape[1]
    if length < block:
        return np.zeros((filtered.shape[0], 0))
    # Cumulative sums give each block's sum of squares without materialising overlapping views.
    cumulative = np.concatenate(
        [np.zeros((filtered.shape[0], 1)), np.cumsum(filtered**2, axis=1)], axis=1
    )
    starts = np.arange(0, length - block + 1, step)
    powers: Samples = (cumulative[:, starts + block] - cumulative[:, starts]) / block
    return powers


def _fast_length(n: int) -> int:
    """The smallest 2^a * 3^b * 5^c at least ``n`` (numpy's FFT is quick on those)."""
    best = 1 << (n - 1).bit_length()
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            value = p35
            while value < n:
                value *= 2
            best = min(best, value)
            p35 *= 3
        p5 *= 5
    return best
