"""The spectra a vibration module teaches, for the tests: a capture's plain amplitude spectrum, its
envelope spectrum (band-passed around the housing's resonance, Hilbert envelope), and how high a
line stands above its neighbourhood (the rule of benchmarks/plant_fitness.py)."""
from __future__ import annotations

import numpy as np
from scipy.signal import butter, hilbert, sosfiltfilt

SLIP = 0.02  # a defect line is searched within +-2 % of its kinematic frequency
BAND_SHARE = 0.4  # the envelope's band: the resonance +-40 %


def amplitude_spectrum(signal: np.ndarray, sample_rate: float) -> tuple[np.ndarray, np.ndarray]:
    signal = np.asarray(signal, dtype=np.float64)
    signal = signal - signal.mean()
    return np.abs(np.fft.rfft(signal * np.hanning(len(signal)))), np.fft.rfftfreq(len(signal), 1 / sample_rate)


def envelope_spectrum(signal: np.ndarray, sample_rate: float, resonance_hz: float) -> tuple[np.ndarray, np.ndarray]:
    high = min((1 + BAND_SHARE) * resonance_hz, 0.45 * sample_rate)
    band = butter(4, [(1 - BAND_SHARE) * resonance_hz, high], btype="band", fs=sample_rate, output="sos")
    return amplitude_spectrum(np.abs(hilbert(sosfiltfilt(band, np.asarray(signal, dtype=np.float64)))), sample_rate)


def line_db(spectrum: np.ndarray, freqs: np.ndarray, frequency: float) -> float:
    """The largest amplitude within +-SLIP of ``frequency``, in dB over the median of 0.8-1.2 x it."""
    at = np.abs(freqs - frequency) <= SLIP * frequency
    around = (freqs >= 0.8 * frequency) & (freqs <= 1.2 * frequency) & ~at
    return float(20 * np.log10(spectrum[at].max() / np.median(spectrum[around])))


def strongest_line_hz(spectrum: np.ndarray, freqs: np.ndarray, low: float, high: float) -> float:
    window = (freqs >= low) & (freqs <= high)
    return float(freqs[window][np.argmax(spectrum[window])])
