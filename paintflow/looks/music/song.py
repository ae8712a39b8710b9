"""The audio-reactive walk through style space (after Mario Klingemann's neural music videos): every
video frame's sound is described by its spectrum (:mod:`paintflow.looks.music.audio`), the frames are clustered
with k-means, every cluster gets a target point in a latent space, and a spring particle
(:mod:`paintflow.looks.music.particle`) chases the target of the cluster the music is in, frame by frame.

Targets are blends of *anchors* (built-in styles of the fast look, style vectors of the user's paintings,
or latent codes of a latent-style VAE): K points evenly spaced along the path anchor 1 → anchor 2 → …,
given to the clusters in the order of their spectral centroid, so similar sounds get neighbouring
pictures. The particle moves in anchor-blend coordinates; the latent is that blend of the anchors (a
linear map, so the spring physics is the same in the latent space).

A cluster model is a small ``.npz`` (features' settings, scaling, centres, each cluster's spectral
centroid): fitted on one song, it assigns the frames of another (``music.model``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paintflow import PaintflowError

MODEL_VERSION = 1


def feature_matrix(features: dict) -> np.ndarray:
    """What k-means sees per frame: the mel bands' levels and the loudness, in dB."""
    return np.concatenate([features["mel_db"], features["loudness_db"][:, None]], axis=1).astype(np.float64)


@dataclass
class ClusterModel:
    bands: int
    window: float
    rate: int
    mean: np.ndarray  # [bands + 1] subtracted before clustering
    scale: float  # one spread for every feature (bands without sound are not blown up)
    centres: np.ndarray  # [K, bands + 1] in scaled units
    centroid_hz: np.ndarray  # [K] spectral centroid of each cluster's mean spectrum

    @property
    def clusters(self) -> int:
        return len(self.centres)

    def predict(self, features: dict) -> np.ndarray:
        """The cluster of every frame (0…K−1): the nearest centre."""
        x = (feature_matrix(features) - self.mean) / self.scale
        d = ((x[:, None, :] - self.centres[None]) ** 2).sum(-1)
        return d.argmin(axis=1)

    def order(self) -> np.ndarray:
        """rank[cluster]: its place when the clusters are sorted by spectral centroid (low sounds first)."""
        rank = np.empty(self.clusters, np.int64)
        rank[np.argsort(self.centroid_hz, kind="stable")] = np.arange(self.clusters)
        return rank

    def save(self, path) -> None:
        from paintflow.files import atomic_path

        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            np.savez(
                fh,
                version=MODEL_VERSION,
                bands=self.bands,
                window=self.window,
                rate=self.rate,
                mean=self.mean,
                scale=self.scale,
                centres=self.centres,
                centroid_hz=self.centroid_hz,
            )

    @classmethod
    def load(cls, path, where: str = "music.model") -> ClusterModel:
        try:
            with np.load(path) as z:
                if int(z["version"]) != MODEL_VERSION:
                    raise PaintflowError(f"{where}: {path} is a cluster model of another version ({int(z['version'])})")
                return cls(
                    int(z["bands"]),
                    float(z["window"]),
                    int(z["rate"]),
                    z["mean"],
                    float(z["scale"]),
                    z["centres"],
                    z["centroid_hz"],
                )
        except (OSError, KeyError, ValueError) as err:
            raise PaintflowError(f"{where}: {path} is not a paintflow cluster model ({err})") from err


def spectral_centroids(features: dict) -> np.ndarray:
    """[frames] the spectral centroid (Hz) of every frame's mel spectrum (0 for a silent frame)."""
    power, hz = features["power"].astype(np.float64), features["band_hz"].astype(np.float64)
    total = power.sum(axis=1)
    return np.where(total > 0, (power * hz).sum(axis=1) / np.maximum(total, 1e-30), 0.0)


def fit(features: dict, clusters: int, seed: int, window: float, rate: int) -> ClusterModel:
    """k-means (scikit-learn, 10 seeded starts, one thread: the same song gives the same model)."""
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    x = feature_matrix(features)
    if clusters > len(x):
        raise PaintflowError(f"{clusters} clusters for {len(x)} frames: at most one cluster per frame")
    mean = x.mean(axis=0)
    scale = float(np.sqrt(((x - mean) ** 2).mean())) or 1.0
    with threadpool_limits(1):
        km = KMeans(n_clusters=clusters, n_init=10, random_state=seed).fit((x - mean) / scale)
    labels = km.labels_
    frame_hz = spectral_centroids(features)
    # each cluster's typical brightness: the median of its frames' centroids, so a few loud frames
    # that straddle a change of sound do not decide where a quiet cluster sits
    centroid = np.array(
        [float(np.median(frame_hz[labels == k])) if (labels == k).any() else 0.0 for k in range(clusters)]
    )
    bands = features["mel_db"].shape[1]
    return ClusterModel(bands, window, rate, mean, scale, km.cluster_centers_, centroid)


def path_targets(anchors: int, clusters: int) -> np.ndarray:
    """[clusters, anchors] blend weights of ``clusters`` points evenly spaced along the path through the
    anchors in order (point j at position j/(K−1) of the way; a single cluster sits on anchor 1)."""
    out = np.zeros((clusters, anchors))
    for j in range(clusters):
        u = j / (clusters - 1) * (anchors - 1) if clusters > 1 else 0.0
        i = min(int(np.floor(u)), anchors - 2) if anchors > 1 else 0
        frac = u - i
        out[j, i] += 1 - frac
        if anchors > 1:
            out[j, i + 1] += frac
    return out


def loudness_level(loudness_db: np.ndarray) -> np.ndarray:
    """Loudness mapped to 0…1 between the song's 5th and 95th percentile (quiet parts 0, loud parts 1)."""
    lo, hi = np.percentile(loudness_db, [5, 95])
    return np.clip((loudness_db - lo) / max(hi - lo, 1e-6), 0.0, 1.0)


def trajectory(
    features: dict,
    model: ClusterModel,
    anchor_names: list[str],
    fps: float,
    settings: dict,
):
    """The per-frame table: frame, time, cluster, rank (by spectral centroid), loudness (dB), level,
    strength, and the particle's blend weight of every anchor (columns named after the anchors)."""
    import pandas as pd

    from paintflow.looks.music.particle import release, simulate

    labels = model.predict(features)
    rank = model.order()[labels]
    targets = path_targets(len(anchor_names), model.clusters)[rank]
    x = simulate(targets, fps, settings["stiffness"], settings["damping"])
    level = release(loudness_level(features["loudness_db"]), fps, settings["release"])
    a = settings["loudness"]
    frames = len(labels)
    table = pd.DataFrame(
        {
            "frame": np.arange(1, frames + 1),
            "time": np.arange(frames) / fps,
            "cluster": labels,
            "rank": rank,
            "loudness_db": features["loudness_db"].astype(np.float64),
            "level": level,
            "strength": settings["strength"] * ((1 - a) + a * level),
        }
    )
    for i, name in enumerate(anchor_names):
        table[name] = x[:, i]
    return table


def write_table(table, path) -> None:
    from paintflow.files import atomic_path

    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False, float_format="%.9g")


def read_table(path):
    import pandas as pd

    return pd.read_csv(path)


def anchor_columns(table) -> list[str]:
    return [
        c for c in table.columns if c not in ("frame", "time", "cluster", "rank", "loudness_db", "level", "strength")
    ]


def chart(table, wave: np.ndarray, title: str, width: int = 1200):
    """The trajectory under the waveform: the waveform, the cluster of every frame (a coloured strip,
    colour by rank: low sounds blue, high red), the anchors' blend weights and the strength over time."""
    from PIL import Image, ImageDraw

    from paintflow.figures import _font, line_chart

    frames = len(table)
    fps = 1.0 / float(table["time"].iloc[1]) if frames > 1 else 1.0
    weights = line_chart(
        {name: list(table[name]) for name in anchor_columns(table)} | {"strength": list(table["strength"])},
        "blend of the anchors (the particle) and style strength",
        xlabel="seconds",
        x0=0,
        dx=1 / fps,
        width=width,
        height=320,
    )
    left, pw = 70, width - 90
    top = Image.new("RGB", (width, 190), (255, 255, 255))
    draw = ImageDraw.Draw(top)
    draw.text((10, 8), title, fill=(0, 0, 0), font=_font(18))
    mid, amp = 80, 45
    peak = float(np.abs(wave).max()) or 1.0
    for t in range(frames):  # each frame's span of the waveform, side by side
        lo, hi = wave[t] / peak
        draw.rectangle(
            (left + pw * t / frames, mid - hi * amp, left + pw * (t + 1) / frames, mid - lo * amp), fill=(90, 90, 90)
        )
    draw.text((10, mid - 8), "sound", fill=(80, 80, 80), font=_font(14))
    ranks = table["rank"].to_numpy()
    k = max(int(ranks.max()) + 1, 2)
    for t in range(frames):
        x0, x1 = left + pw * t / frames, left + pw * (t + 1) / frames
        r = ranks[t] / (k - 1)
        draw.rectangle((x0, 140, x1, 170), fill=(int(40 + 200 * r), 80, int(220 - 180 * r)))
    draw.text((10, 148), "cluster", fill=(80, 80, 80), font=_font(14))
    sheet = Image.new("RGB", (width, top.height + weights.height), (255, 255, 255))
    sheet.paste(top, (0, 0))
    sheet.paste(weights, (0, top.height))
    return sheet


def anchor_names(settings: dict) -> list[str]:
    """Column names of the anchors of a render's music settings."""
    if settings["space"] == "styles":
        return [f"style_{i}" for i in settings["styles"]]
    names = [Path(p).stem for p in settings["paintings"]]
    return [n if names.count(n) == 1 else f"{n}_{i}" for i, n in enumerate(names)]
