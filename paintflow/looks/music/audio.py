"""Sound for the music-driven looks: decode a track (ffmpeg from imageio-ffmpeg, read with soundfile)
and describe every video frame by the spectrum of a window centred on its time (log-mel bands,
librosa's filter bank) and its loudness."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np

from paintflow import PaintflowError
from paintflow.video import ffmpeg

SAMPLE_RATE = 22050
FLOOR_DB = -80.0  # decibels below the song's loudest moment at which everything counts as silence


def load(path, start: float = 0.0, seconds: float | None = None, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Mono float32 samples of a file's first audio stream from ``start`` (padded with silence to
    ``seconds`` when the track is shorter)."""
    with tempfile.TemporaryDirectory(prefix="paintflow-audio-") as tmp:
        wav = Path(tmp) / "audio.wav"
        cmd = [ffmpeg(), "-hide_banner", "-nostdin", "-v", "error", "-ss", f"{start:.6f}", "-i", str(path)]
        if seconds is not None:
            cmd += ["-t", f"{seconds:.6f}"]
        cmd += ["-map", "0:a:0", "-ac", "1", "-ar", str(rate), "-c:a", "pcm_f32le", str(wav)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0 or not wav.is_file():
            why = (proc.stderr.strip().splitlines() or ["no audio stream"])[-1]
            raise PaintflowError(f"{path}: cannot read its audio ({why})")
        import soundfile

        samples, got = soundfile.read(str(wav), dtype="float32", always_2d=False)
    if got != rate:
        raise PaintflowError(f"{path}: decoded at {got} Hz instead of {rate} Hz")
    if samples.size == 0:
        raise PaintflowError(f"{path}: the audio track is empty from {start:g} s")
    if seconds is not None:
        want = int(round(seconds * rate))
        samples = np.pad(samples[:want], (0, max(0, want - samples.size)))
    return samples.astype(np.float32)


def band_frequencies(bands: int, rate: int = SAMPLE_RATE, fmin: float = 30.0) -> np.ndarray:
    """Centre frequency (Hz) of each mel band."""
    import librosa

    return librosa.mel_frequencies(n_mels=bands + 2, fmin=fmin, fmax=rate / 2)[1:-1]


def frame_features(
    samples: np.ndarray,
    frames: int,
    fps: float,
    bands: int = 32,
    window: float = 0.1,
    rate: int = SAMPLE_RATE,
    fmin: float = 30.0,
) -> dict:
    """Per video frame t (1…frames, shown from (t−1)/fps to t/fps): the power in ``bands`` mel bands and
    the loudness of a Hann window of ``window`` seconds centred on the frame's middle, both in dB
    relative to the song's loudest frame and floored at −80 dB (so songs mastered at different levels
    describe the same sounds alike). Returns {"mel_db": [frames, bands], "loudness_db": [frames],
    "power": [frames, bands] (linear, for spectral centroids), "band_hz": [bands]}."""
    import librosa

    n_fft = max(64, int(round(window * rate)))
    filters = librosa.filters.mel(sr=rate, n_fft=n_fft, n_mels=bands, fmin=fmin, fmax=rate / 2)
    hann = np.hanning(n_fft).astype(np.float32)
    padded = np.pad(samples.astype(np.float32), (n_fft, n_fft))
    centres = np.rint((np.arange(frames) + 0.5) / fps * rate).astype(np.int64) + n_fft  # in padded samples
    power = np.empty((frames, bands), np.float64)
    energy = np.empty(frames, np.float64)
    for lo in range(0, frames, 512):  # blocks: a long song's windows never all sit in memory at once
        idx = centres[lo : lo + 512, None] + np.arange(n_fft)[None] - n_fft // 2
        seg = padded[np.clip(idx, 0, padded.size - 1)]
        spectrum = np.abs(np.fft.rfft(seg * hann, axis=1)) ** 2
        power[lo : lo + 512] = spectrum @ filters.T
        energy[lo : lo + 512] = (seg.astype(np.float64) ** 2).mean(axis=1)
    mel_db = np.maximum(librosa.power_to_db(power, ref=max(power.max(), 1e-20), amin=1e-20, top_db=None), FLOOR_DB)
    loud_db = np.maximum(10 * np.log10(np.maximum(energy, 1e-20) / max(energy.max(), 1e-20)), FLOOR_DB)
    return {
        "mel_db": mel_db.astype(np.float32),
        "loudness_db": loud_db.astype(np.float32),
        "power": power.astype(np.float32),
        "band_hz": band_frequencies(bands, rate, fmin).astype(np.float32),
    }


def envelope(samples: np.ndarray, frames: int, fps: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    """[frames, 2]: the lowest and highest sample of each frame's time span (a waveform to draw)."""
    out = np.zeros((frames, 2), np.float32)
    for t in range(frames):
        span = samples[int(t / fps * rate) : int((t + 1) / fps * rate)]
        if span.size:
            out[t] = span.min(), span.max()
    return out
