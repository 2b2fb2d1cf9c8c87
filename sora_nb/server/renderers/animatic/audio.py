"""The animatic's sound: ambience and effects from the sound words, music, and voice-like cues.

Everything is synthesised from seeded noise and sine waves in a few numpy passes (noise is
shaped in the frequency domain, events are short enveloped bursts), so a 12 s track costs a
few tens of milliseconds and the same plan always gives the same samples.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sora_nb.server.renderers.animatic.request import FPS
from sora_nb.server.renderers.animatic.storyboard import Storyboard

SAMPLE_RATE = 48_000
Samples = npt.NDArray[np.float32]
Floats = npt.NDArray[np.float64]


def _shaped_noise(
    rng: np.random.Generator, n: int, low: float, high: float, tilt: float = 0.0
) -> Floats:
    """White noise band-passed to ``low``..``high`` Hz (soft edges), ``tilt`` dB/octave slope."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    f = np.maximum(freqs, 1.0)
    gain = 1 / (1 + (low / f) ** 4) / (1 + (f / high) ** 4)
    if tilt:
        gain *= (f / 1000.0) ** (tilt / 6.02)
    out = np.fft.irfft(spectrum * gain, n)
    peak = float(np.abs(out).max()) or 1.0
    return out / peak


def _lfo(rng: np.random.Generator, t: Floats, rates: tuple[float, ...]) -> Floats:
    """A slow positive swell (0..1) from a few sines at random phases."""
    total = np.zeros_like(t)
    for rate in rates:
        total += np.sin(2 * np.pi * rate * t + rng.uniform(0, 2 * np.pi))
    return 0.5 + 0.5 * total / len(rates)


def _burst(length: int, decay: float, rng: np.random.Generator, tone: float = 0.0) -> Floats:
    """A short percussive event: noise (or a falling tone) under an exponential decay."""
    t = np.arange(length) / SAMPLE_RATE
    envelope = np.exp(-t / decay)
    if tone:
        sweep = tone * (1 + 1.5 * np.exp(-t / 0.02))
        return np.sin(2 * np.pi * np.cumsum(sweep) / SAMPLE_RATE) * envelope
    return rng.standard_normal(length) * envelope


def _place(track: Floats, event: Floats, at: int, gain: float) -> None:
    if at >= track.size:
        return
    end = min(track.size, at + event.size)
    track[at:end] += event[: end - at] * gain


def _rain(rng: np.random.Generator, n: int) -> Floats:
    hiss = _shaped_noise(rng, n, 800, 9000, tilt=-1.5) * 0.6
    for at in rng.integers(0, n, int(n / SAMPLE_RATE * 40)):
        _place(hiss, _burst(240, 0.002, rng), int(at), rng.uniform(0.1, 0.35))
    return hiss


def _wind(rng: np.random.Generator, n: int, t: Floats) -> Floats:
    return _shaped_noise(rng, n, 60, 500) * (0.2 + 0.8 * _lfo(rng, t, (0.11, 0.23, 0.07)))


def _waves(rng: np.random.Generator, n: int, t: Floats) -> Floats:
    period = rng.uniform(6.0, 8.5)
    swell = (0.5 + 0.5 * np.sin(2 * np.pi * t / period + rng.uniform(0, 6))) ** 3
    return _shaped_noise(rng, n, 100, 2500, tilt=-2.0) * (0.15 + 0.85 * swell)


def _city(rng: np.random.Generator, n: int, t: Floats) -> Floats:
    rumble = _shaped_noise(rng, n, 30, 300) * 0.7 * (0.6 + 0.4 * _lfo(rng, t, (0.05, 0.13)))
    for at in rng.uniform(0.5, max(0.6, t[-1] - 0.6), max(1, int(t[-1] / 4))):
        length = int(SAMPLE_RATE * rng.uniform(0.25, 0.5))
        tt = np.arange(length) / SAMPLE_RATE
        pitch = rng.choice([392.0, 440.0, 466.0])
        horn = np.sign(np.sin(2 * np.pi * pitch * tt)) * np.minimum(
            1, np.minimum(tt, tt[-1] - tt) * 40
        )
        _place(rumble, horn, int(at * SAMPLE_RATE), 0.08)
    return rumble


def _birdsong(rng: np.random.Generator, n: int) -> Floats:
    track = np.zeros(n)
    seconds = n / SAMPLE_RATE
    for phrase in rng.uniform(0.2, max(0.3, seconds - 0.8), max(1, int(seconds / 1.5))):
        at = phrase
        base = rng.uniform(2800, 4200)
        for _ in range(int(rng.integers(3, 7))):
            length = int(SAMPLE_RATE * rng.uniform(0.05, 0.12))
            tt = np.arange(length) / SAMPLE_RATE
            sweep = base * (1 + rng.uniform(0.2, 0.5) * tt / tt[-1])
            chirp = np.sin(2 * np.pi * np.cumsum(sweep) / SAMPLE_RATE) * np.sin(np.pi * tt / tt[-1])
            _place(track, chirp, int(at * SAMPLE_RATE), 0.5)
            at += rng.uniform(0.08, 0.18)
    return track


def _footsteps(rng: np.random.Generator, n: int) -> Floats:
    track = np.zeros(n)
    step = rng.uniform(0.5, 0.6)
    at = rng.uniform(0.1, 0.3)
    while at * SAMPLE_RATE < n:
        thump = _burst(int(0.12 * SAMPLE_RATE), 0.025, rng, tone=90.0)
        scuff = _burst(int(0.05 * SAMPLE_RATE), 0.008, rng) * 0.25
        _place(track, thump, int(at * SAMPLE_RATE), rng.uniform(0.6, 0.9))
        _place(track, scuff, int(at * SAMPLE_RATE), 1.0)
        at += step * rng.uniform(0.95, 1.05)
    return track


def _applause(rng: np.random.Generator, n: int, t: Floats) -> Floats:
    track = np.zeros(n)
    claps = int(n / SAMPLE_RATE * 45)
    for at in rng.integers(0, n, claps):
        _place(track, _burst(600, 0.004, rng), int(at), rng.uniform(0.2, 0.5))
    return track * (0.6 + 0.4 * _lfo(rng, t, (0.2,)))


_MAJOR = ((0, 4, 7), (9, 12, 16), (5, 9, 12), (7, 11, 14))  # I vi IV V
_MINOR = ((0, 3, 7), (8, 12, 15), (3, 7, 10), (10, 14, 17))  # i VI III VII


def _music(rng: np.random.Generator, n: int, t: Floats, bpm: float, minor: bool) -> Floats:
    """A soft chord pad changing each bar, a kick on the beat and a hat off the beat."""
    beat = 60.0 / bpm
    bar = 4 * beat
    root = 110.0 * 2 ** (int(rng.integers(0, 7)) / 12)
    chords = _MINOR if minor else _MAJOR
    index = (t // bar).astype(np.int64) % len(chords)
    pad = np.zeros(n)
    for voice in range(3):
        semis = np.array([c[voice] for c in chords], dtype=np.float64)[index]
        freq = root * 2 ** (semis / 12)
        pad += np.sin(2 * np.pi * np.cumsum(freq) / SAMPLE_RATE)
    in_bar = t % bar
    pad *= 0.25 * np.minimum(1, in_bar / 0.3) * (0.7 + 0.3 * np.exp(-in_bar / bar))
    beats = np.arange(0, t[-1], beat)
    for i, at in enumerate(beats):
        _place(
            pad, _burst(int(0.2 * SAMPLE_RATE), 0.06, rng, tone=55.0), int(at * SAMPLE_RATE), 0.5
        )
        hat = _burst(int(0.04 * SAMPLE_RATE), 0.01, rng)
        _place(
            pad, np.diff(hat, prepend=0), int((at + beat / 2) * SAMPLE_RATE), 0.12 + 0.03 * (i % 2)
        )
    return pad


#: Vowel formants (F1, F2) in Hz, cycled through syllables to make speech-like timbre.
_VOWELS = ((730, 1090), (530, 1840), (270, 2290), (570, 840), (440, 1020), (660, 1720))


def _voice(rng: np.random.Generator, seconds: float, words: int, voice: int) -> Floats:
    """A voice-like murmur: a buzz at a speaker's pitch, shaped into syllables and vowels."""
    n = max(1, int(seconds * SAMPLE_RATE))
    t = np.arange(n) / SAMPLE_RATE
    f0_base = (120.0, 205.0, 150.0, 240.0, 100.0)[voice % 5]
    f0 = f0_base * (1 + 0.06 * np.sin(2 * np.pi * 0.8 * t + rng.uniform(0, 6)) - 0.08 * t / t[-1])
    phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
    syllables = max(2, round(words * 1.4))
    per = n / syllables
    out = np.zeros(n)
    for s in range(syllables):
        a, b = int(s * per), int((s + 1) * per)
        f1, f2 = _VOWELS[int(rng.integers(0, len(_VOWELS)))]
        seg = np.zeros(b - a)
        for k in range(1, 16):
            fk = k * f0_base
            weight = np.exp(-(((fk - f1) / 180) ** 2)) + 0.6 * np.exp(-(((fk - f2) / 260) ** 2))
            seg += (weight + 0.05 / k) * np.sin(k * phase[a:b])
        envelope = np.sin(np.pi * np.linspace(0, 1, b - a)) ** 0.7
        out[a:b] = seg * envelope * rng.uniform(0.7, 1.0)
    fade = min(n // 2, int(0.02 * SAMPLE_RATE))
    if fade:
        out[:fade] *= np.linspace(0, 1, fade)
        out[-fade:] *= np.linspace(1, 0, fade)
    peak = float(np.abs(out).max()) or 1.0
    return out / peak


def synthesise(storyboard: Storyboard, rng: np.random.Generator) -> Samples:
    """The mono soundtrack of a storyboard at 48 kHz, exactly as long as the video."""
    n = storyboard.frame_count * SAMPLE_RATE // FPS
    t = np.arange(n) / SAMPLE_RATE
    # A quiet room tone under everything, so no clip is dead silent.
    mixbus = _shaped_noise(rng, n, 40, 4000, tilt=-3.0) * 0.02
    levels = {
        "rain": 0.22,
        "wind": 0.25,
        "waves": 0.3,
        "city": 0.2,
        "birdsong": 0.14,
        "footsteps": 0.3,
        "applause": 0.28,
    }
    for cue in storyboard.sound.cues:
        if cue == "rain":
            layer = _rain(rng, n)
        elif cue == "wind":
            layer = _wind(rng, n, t)
        elif cue == "waves":
            layer = _waves(rng, n, t)
        elif cue == "city":
            layer = _city(rng, n, t)
        elif cue == "birdsong":
            layer = _birdsong(rng, n)
        elif cue == "footsteps":
            layer = _footsteps(rng, n)
        elif cue == "applause":
            layer = _applause(rng, n, t)
        else:
            continue
        mixbus += layer * levels[cue]
    if storyboard.sound.music_bpm:
        mixbus += _music(rng, n, t, storyboard.sound.music_bpm, storyboard.sound.minor) * 0.18
    for sub in storyboard.subtitles:
        start = sub.start * SAMPLE_RATE // FPS
        seconds = (sub.stop - sub.start) / FPS
        voice = _voice(rng, seconds, len(sub.line.split()), sub.voice)
        _place(mixbus, voice, start, 0.35)
    # A gentle limiter keeps peaks below full scale without hard clipping.
    out: Samples = (np.tanh(mixbus * 2.0) * 0.9).astype(np.float32)
    return out
