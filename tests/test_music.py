"""The music look: frames clustered by their sound (a synthetic song with known parts), a cluster model
that carries to another song, a particle that never jumps and settles when expected, the per-frame look
at its point of the walk, a tiny render with the song in its video, and clear errors for bad input."""

import re

import numpy as np
import pytest
import soundfile
import yaml
from scipy.optimize import linear_sum_assignment

from conftest import make_clip, run_snakemake, shared
from paintflow import PaintflowError
from paintflow.looks.music import audio, particle
from paintflow.looks.music import song as music
from paintflow.video import stream_info

RATE, FPS = 22050, 25.0
SETTINGS = {"stiffness": 40.0, "damping": 10.0, "loudness": 0.5, "release": 0.3, "strength": 1.0}


def song(parts: list[tuple[str, float]], seed: int, gain: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Samples of a song made of parts ("low": 220 Hz, "high": 1760 Hz, "noise": white noise), and the
    part (0, 1, 2) of every video frame at FPS."""
    rng = np.random.default_rng(seed)
    kinds = {"low": 0, "high": 1, "noise": 2}
    pieces, truth = [], []
    for kind, seconds in parts:
        t = np.arange(int(seconds * RATE)) / RATE
        if kind == "noise":
            pieces.append(gain * 0.6 * rng.standard_normal(t.size))
        else:
            pieces.append(gain * np.sin(2 * np.pi * (220 if kind == "low" else 1760) * t))
        truth += [kinds[kind]] * int(round(seconds * FPS))
    return np.concatenate(pieces).astype(np.float32), np.array(truth)


def write_song(path, samples):
    soundfile.write(str(path), samples, RATE, subtype="FLOAT")
    return path


def agreement(labels: np.ndarray, truth: np.ndarray) -> float:
    """Share of frames whose cluster matches the truth under the best one-to-one relabelling."""
    k = max(labels.max(), truth.max()) + 1
    counts = np.zeros((k, k))
    np.add.at(counts, (labels, truth), 1)
    rows, cols = linear_sum_assignment(-counts)
    return counts[rows, cols].sum() / len(truth)


FIRST = [("low", 1), ("high", 1)] * 4 + [("noise", 1)] + [("low", 1), ("high", 1)] * 2
SECOND = [("high", 0.6), ("noise", 0.8), ("low", 1.4), ("high", 1.0), ("low", 0.6), ("noise", 0.6)]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("songs")
    samples, truth = song(FIRST, seed=1)
    loaded = audio.load(write_song(folder / "first.wav", samples))  # through ffmpeg and soundfile
    features = audio.frame_features(loaded, len(truth), FPS)
    model = music.fit(features, 3, seed=0, window=0.1, rate=RATE)
    model.save(folder / "clusters.npz")
    return folder, features, model, truth


def test_the_parts_of_a_song_fall_into_their_own_clusters(fitted):
    _, features, model, truth = fitted
    labels = model.predict(features)
    # frames whose window straddles a change of part may go either way: at most 1 in 12 here
    assert agreement(labels, truth) >= 0.9
    # clusters ranked by spectral centroid: the low tone, then the high tone, then the noise
    rank = model.order()
    by_part = [np.bincount(rank[labels[truth == p]]).argmax() for p in range(3)]
    assert by_part == [0, 1, 2]


def test_a_saved_model_assigns_another_song(fitted):
    folder, _, _, _ = fitted
    model = music.ClusterModel.load(folder / "clusters.npz")
    samples, truth = song(SECOND, seed=7, gain=0.25)  # other order, lengths, level and noise
    features = audio.frame_features(samples, len(truth), FPS, model.bands, model.window)
    reference = music.ClusterModel.load(folder / "clusters.npz").predict(
        audio.frame_features(song(FIRST, seed=1)[0], len(song(FIRST, seed=1)[1]), FPS)
    )
    assert agreement(model.predict(features), truth) >= 0.9
    assert len(set(reference)) == 3
    with pytest.raises(PaintflowError, match="not a paintflow cluster model"):
        music.ClusterModel.load(write_song(folder / "a_song.wav", np.zeros(10, np.float32)), "music.model")


def test_the_particle_never_jumps_and_settles_when_expected():
    k, c = SETTINGS["stiffness"], SETTINGS["damping"]
    rng = np.random.default_rng(3)
    targets = music.path_targets(5, 12)[rng.integers(0, 12, 400)]  # the music switching cluster at random
    x = particle.simulate(targets, FPS, k, c)
    steps = np.abs(np.diff(x, axis=0)).max()
    bound = particle.step_bound(targets, k, c, FPS)
    assert 0 < steps < bound
    assert steps < np.abs(np.diff(targets, axis=0)).max() / 3  # the targets themselves jump by 3× more

    held = np.zeros((200, 1))
    held[20:] = 1.0  # a target held from frame 20 on
    x = particle.simulate(held, FPS, k, c)[:, 0]
    outside = np.nonzero(np.abs(x[20:] - 1.0) > 0.05)[0]
    settled = outside.max() + 1 if outside.size else 0
    expected = particle.settling_time(k, c) * FPS
    assert abs(settled - expected) <= 2, (settled, expected)
    with pytest.raises(PaintflowError, match="stiffness 40000 and damping 10 are too high for 25 fps"):
        particle.check_stable(40000, 10, 25, "renders.v.music")


def test_strength_follows_the_loudness(fitted):
    _, features, model, _ = fitted
    quiet, _ = song([("low", 2), ("high", 2)], seed=2, gain=0.02)
    loud, _ = song([("low", 2), ("high", 2)], seed=2, gain=0.5)
    samples = np.concatenate([quiet, loud])
    feats = audio.frame_features(samples, int(8 * FPS), FPS)
    table = music.trajectory(feats, model, ["a", "b", "c"], FPS, SETTINGS)
    first, second = table["strength"][: int(4 * FPS)], table["strength"][int(4 * FPS) + 10 :]
    assert first.mean() < 0.55 and second.mean() > 0.95
    assert np.allclose(table[["a", "b", "c"]].sum(axis=1), 1.0, atol=1e-9)


def test_a_frame_is_painted_at_its_point_of_the_walk():
    from paintflow.files import read_rgb
    from paintflow.looks.fast.stylizer import FastSettings, FastStylizer
    from paintflow.looks.music.walk import MusicStylizer

    rgb = read_rgb(shared("content", "astronaut.png"))[::8, ::8].copy()
    walk = MusicStylizer({"space": "styles", "styles": [3, 9], "preserve_color": False}, threads=1)
    builtin = FastStylizer(FastSettings(9), threads=1)
    assert np.array_equal(walk(rgb, np.array([0.0, 1.0]), 1.0), builtin(rgb))
    half = walk(rgb, np.array([0.5, 0.5]), 1.0).astype(int)
    assert np.abs(half - builtin(rgb)).mean() > 3
    faded = walk(rgb, np.array([0.0, 1.0]), 0.0)
    assert np.array_equal(faded, rgb)  # strength 0: the picture itself


def config_for(tmp_path, **music_settings):
    samples, _ = song([("low", 0.5), ("high", 0.5)] * 2, seed=4)
    cfg = {
        "videos": {},
        "renders": {
            "m": {
                "look": "music",
                "music": {
                    "audio": str(write_song(tmp_path / "song.wav", samples)),
                    "image": str(shared("content", "astronaut.png")),
                    "width": 48,
                    "fps": 10,
                    "clusters": 2,
                    **music_settings,
                },
                "smooth": {"method": "blend", "alpha": 0.3},
            }
        },
        "execution": {"chunk_frames": 8},
        "upscale": {"scale": 1},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    return cfg


@pytest.mark.slow
def test_a_tiny_music_render_has_the_song_and_the_trajectory(tmp_path):
    config_for(tmp_path)
    run_snakemake(tmp_path, "--cores", "2")
    out = tmp_path / "results/renders/m"
    info = stream_info(out / "m.mp4")
    assert info["frames"] == 20 and info["has_audio"]
    table = music.read_table(out / "trajectory/trajectory.csv")
    assert list(table["frame"]) == list(range(1, 21))
    assert set(table["cluster"][:5]) != set(table["cluster"][5:10])  # low tone, then high tone
    assert (out / "trajectory/trajectory.png").stat().st_size > 10_000
    frames = sorted((out / "music").glob("*.png"))
    assert len(frames) == 20
    # the cluster model of this song, reused by another render: the same clusters
    other = tmp_path / "other"
    other.mkdir()
    config_for(other, model=str(out / "trajectory/clusters.npz"), clusters=9)
    run_snakemake(other, "--cores", "2", "--until", "music_trajectory_m")
    reused = music.read_table(other / "results/renders/m/trajectory/trajectory.csv")
    assert list(reused["cluster"]) == list(table["cluster"])


def test_bad_music_input_is_named_before_any_work(tmp_path):
    from paintflow.config import prepare
    from paintflow.dag import RenderDag

    clip = make_clip(tmp_path / "silent.mp4", audio=False, seconds=0.4)

    def dag_error(render: dict) -> str:
        cfg = {"videos": {"v": {"path": str(clip), "width": 32}}, "renders": {"m": render}}
        cfg["results"] = str(tmp_path / "results")
        with pytest.raises(PaintflowError) as err:
            RenderDag(prepare(cfg))
        return str(err.value)

    assert dag_error({"look": "music", "video": "v"}).startswith(
        "renders.m.music.audio: the music look needs a song: give music.audio (video 'v' has no sound)"
    )
    samples, _ = song([("low", 0.3)], seed=0)
    wav = str(write_song(tmp_path / "short.wav", samples))
    msg = dag_error({"look": "music", "video": "v", "music": {"audio": wav, "clusters": 12}})
    assert re.match(r"renders.m.music.clusters: 12 clusters for \d frames; at most one per frame", msg)
    msg = dag_error({"look": "music", "music": {"audio": wav, "space": "paintings", "paintings": [wav]}})
    assert msg.startswith("renders.m.music.paintings: the paintings space needs two or more paintings")
    msg = dag_error({"look": "music", "music": {"audio": wav, "stiffness": 5000, "clusters": 2}})
    assert msg.startswith("renders.m.music: stiffness 5000 and damping 10 are too high for 25 fps")
    silent = tmp_path / "silence.wav"
    soundfile.write(str(silent), np.zeros(RATE, np.float32), RATE)
    from paintflow.looks.music.walk import make_trajectory

    with pytest.raises(PaintflowError, match="the song is silent"):
        make_trajectory((str(silent), 0.0, 1.0), 10, 10.0, {"model": None, "bands": 32, "window": 0.1}, {}, "")
