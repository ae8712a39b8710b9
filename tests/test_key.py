"""Keyed performers: matte accuracy against a known alpha, spill, stability, the real chroma plate,
person segmentation, a keyed render end to end, and bad input."""

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml
from plates import SCREENS, plate, soft_plate

from conftest import make_clip, run_snakemake, shared
from paintflow.files import read_gray, read_rgb
from paintflow.flow import compute_flow
from paintflow.key import (
    chroma,
    clean,
    composite,
    estimate_key,
    from_png,
    matte_of,
    performer_colours,
    raw_alpha,
    stabilise,
)
from paintflow.masks import consistency_mask
from paintflow.metrics import warping_error
from paintflow.resize import cover
from paintflow.video import probe, stream_info

SETTINGS = {"inner": 6, "outer": 36, "speck": 64, "hole": 64}
MATTE = {"method": "chroma", **SETTINGS, "grow": 0, "feather": 0.0}


def key_plate(rgb, key=None):
    key = key or estimate_key([rgb])
    return clean(raw_alpha(rgb, key, SETTINGS["inner"], SETTINGS["outer"]), SETTINGS["speck"], SETTINGS["hole"]), key


def green_excess(rgb):
    return np.maximum(0, rgb[..., 1].astype(float) - np.maximum(rgb[..., 0], rgb[..., 2]).astype(float))


def test_chroma_matte_matches_the_true_alpha():
    rgb, alpha, _ = plate()
    est, _ = key_plate(rgb)
    err = np.abs(est - alpha)
    band = (alpha > 0.01) & (alpha < 0.99)
    print(f"matte error: mean {err.mean():.4f}, edge band {err[band].mean():.4f} ({band.sum()} px)")
    assert err.mean() < 0.03 and err[band].mean() < 0.1


def test_spill_is_removed_from_the_composite():
    rgb, alpha, _ = plate()
    est, key = key_plate(rgb)
    grey = np.full_like(rgb, 128)
    soft = composite(performer_colours(rgb, est, key, 1.0), grey, est)
    naive = composite(rgb, grey, (est > 0.5).astype(np.float32))  # a hard key of the raw plate
    band = (alpha > 0.01) & (alpha < 0.99)
    ours, theirs = green_excess(soft)[band].mean(), green_excess(naive)[band].mean()
    print(f"green excess in the edge band: {ours:.2f} (soft matte, unmixed, despilled) vs {theirs:.2f} (hard key)")
    assert ours <= theirs / 4


SOFT_PLATES = [
    *({"edge": e, "screen": "green", "subject": "astronaut.png"} for e in (1, 3, 8, 20)),
    *({"edge": e, "screen": "blue", "subject": "chelsea.png"} for e in (1, 3, 8, 20)),
    *({"edge": 2, "hair": True, "screen": s} for s in ("green", "blue")),
    *({"edge": 2, "motion": 12, "screen": s} for s in ("green", "blue")),
]


def edge_errors(est, alpha):
    err = np.abs(est - alpha)
    return err[(alpha > 0.02) & (alpha < 0.98)].mean(), err[alpha >= 0.98].mean(), err[alpha <= 0.02].mean()


def plate_matte(rgb, key, edge):
    return matte_of(rgb, {**MATTE, "edge": edge}, key)


@pytest.mark.parametrize("case", SOFT_PLATES, ids=lambda c: "-".join(f"{k}{v}" for k, v in c.items()))
def test_soft_edges_follow_the_true_alpha(case):
    """Defocused edges 1-20 px wide, hair strands and motion blur on green and blue screens: the soft
    edge (and closed-form matting over it) keeps the transition's width (band error <= 0.05); the hard
    key (the key before soft edges) cuts it."""
    rgb, alpha, _ = soft_plate(**case)
    key = estimate_key([rgb])
    hard_band, _, hard_outside = edge_errors(plate_matte(rgb, key, "hard"), alpha)
    for edge in ("soft", "matting"):
        band, inside, outside = edge_errors(plate_matte(rgb, key, edge), alpha)
        print(f"{case} {edge}: band {band:.4f} (hard {hard_band:.4f}), inside {inside:.4f}, outside {outside:.4f}")
        assert band <= 0.05 and band < hard_band, edge
        assert inside <= 0.01, edge  # the ramp's smoothing reads the pixels where it reaches 1 a little below 1
        assert outside <= hard_outside + 0.001, edge


@pytest.mark.parametrize(
    "case,limit", [({"edge": 80}, 0.07), ({"edge": 4, "motion": 48}, 0.045)], ids=["edge80", "motion48"]
)
def test_soft_edges_scale_with_the_frame(case, limit):
    """At 1280x720 a ramp is 4x as wide in pixels as at 320x180: the soft edge's sizes scale with the frame
    (with the 320x180 sizes the 80 px ramp read 0.186, the motion blur 0.051)."""
    rgb, alpha, _ = soft_plate(**case, w=1280, h=720)
    key = estimate_key([rgb])
    band, inside, _ = edge_errors(plate_matte(rgb, key, "soft"), alpha)
    hard_band, _, _ = edge_errors(plate_matte(rgb, key, "hard"), alpha)
    print(f"1280x720 {case}: band {band:.4f} (hard {hard_band:.4f}), inside {inside:.4f}")
    assert band <= limit and hard_band > 3 * band and inside <= 0.01


@pytest.mark.parametrize("edge", [1, 3])
@pytest.mark.parametrize("screen", ["green", "blue"])
def test_soft_edges_of_a_4_2_0_plate_extracted_at_full_colour_resolution(screen, edge, tmp_path):
    """A plate stored as cameras and codecs store it (H.264, yuv420p: colour at half resolution) at twice the
    processing size, decoded as the workflow extracts its frames: the colour is made RGB before the frame
    is scaled, so its 1-3 px edges key as a full-chroma plate's do (band error <= 0.06; scaled first, in
    4:2:0, they read 0.10-0.19)."""
    from edits import write_frames

    from paintflow.video import decoded_frames

    subject = "astronaut.png" if screen == "green" else "chelsea.png"
    rgb, alpha, _ = soft_plate(edge=2 * edge, screen=screen, subject=subject, w=384, h=256)
    write_frames(tmp_path / "plate.mp4", [rgb, rgb], fps=25)
    frame = next(iter(decoded_frames(tmp_path / "plate.mp4", probe(tmp_path / "plate.mp4", width=192))))
    truth = cv2.resize(alpha, (192, 128), interpolation=cv2.INTER_AREA)
    band, _, _ = edge_errors(plate_matte(frame, estimate_key([frame]), "soft"), truth)
    print(f"{screen}, {edge} px edge, yuv420p H.264 extracted at 192x128: band {band:.4f}")
    assert band <= 0.06


@pytest.mark.parametrize("screen", ["green", "blue"])
def test_soft_edges_leave_no_more_screen_colour_in_the_composite(screen):
    rgb, alpha, _ = soft_plate(edge=8, screen=screen, spill=0.25)
    key = estimate_key([rgb])
    grey = np.full_like(rgb, 128)
    band = (alpha > 0.02) & (alpha < 0.98)
    k = int(np.argmax(SCREENS[screen]))  # the screen's channel: its excess over the other two

    def excess(mode):
        a = plate_matte(rgb, key, mode)
        out = composite(performer_colours(rgb, a, key, 1.0), grey, a).astype(float)
        return np.maximum(0, out[..., k] - np.delete(out, k, axis=-1).max(-1))[band].mean()

    hard = excess("hard")
    for edge in ("soft", "matting"):
        ours = excess(edge)
        print(f"{screen} screen: colour excess in the edge band {ours:.2f} ({edge}) vs {hard:.2f} (hard)")
        assert ours <= hard + 0.05


def test_stabilised_matte_flickers_less_on_a_moving_plate():
    frames, mattes, stable = [], [], []
    for t in range(8):
        rgb, _, _ = plate(dx=1.5 * t, seed=t)  # the subject moves, the noise changes every frame
        frames.append(rgb)
        mattes.append(key_plate(rgb)[0])
    errors = {"raw": [], "stable": []}
    for t in range(8):
        if t == 0:
            stable.append(mattes[0])
            continue
        back, fwd = compute_flow(frames[t], frames[t - 1], "dis"), compute_flow(frames[t - 1], frames[t], "dis")
        mask = consistency_mask(back, fwd)
        stable.append(stabilise(mattes[t], stable[t - 1], back, mask, 0.5))
        for name, seq in (("raw", mattes), ("stable", stable)):
            errors[name].append(
                warping_error(*(np.repeat(x[..., None] * 255, 3, -1) for x in (seq[t - 1], seq[t])), back, mask)
            )
    raw, stab = np.mean(errors["raw"]), np.mean(errors["stable"])
    print(f"matte warping error: unstabilised {raw:.6f}, stabilised {stab:.6f}")
    assert stab < raw


def test_a_stabilised_matte_chunk_killed_mid_chain_resumes_to_the_same_mattes(tmp_path):
    """The matte chain's resume, at the level of its chunk (a small matte takes milliseconds: a kill of the
    whole workflow cannot land inside it; tests/test_resume.py kills the other chains)."""
    from paintflow.files import write_flow, write_gray, write_rgb
    from paintflow.key import matte_chunk
    from paintflow.masks import to_png as mask_png
    from paintflow.store import FrameStore

    frames, flows, masks, rgbs = {}, {}, {}, {}
    for t in range(1, 6):
        rgbs[t] = plate(96, 64, dx=1.5 * t, seed=t)[0]  # the subject moves, the noise changes every frame
        frames[t] = str(tmp_path / f"frames/{t:06d}.png")
        write_rgb(frames[t], rgbs[t])
    for t in range(2, 6):
        back = compute_flow(rgbs[t], rgbs[t - 1], "dis")
        flows[t], masks[t] = str(tmp_path / f"flow/{t:06d}.f16.npz"), str(tmp_path / f"masks/{t:06d}.png")
        write_flow(flows[t], back)
        write_gray(masks[t], mask_png(consistency_mask(back, compute_flow(rgbs[t - 1], rgbs[t], "dis"))))
    matte = {**MATTE, "edge": "soft", "stabilize": 0.5, "landscape": False}
    key = estimate_key([rgbs[1]])

    def run(folder, store, only=None):
        outputs = {t: str(tmp_path / folder / f"{t:06d}.png") for t in (only or range(1, 6))}
        return matte_chunk(outputs, frames, matte, key, None, flows, masks, store), outputs

    _, reference = run("a", FrameStore(tmp_path / "s1", "mattes", "clip", "k"))
    store = FrameStore(tmp_path / "s2", "mattes", "clip", "k")
    run("b", store, only=(1, 2))  # killed after frame 2
    for f in (tmp_path / "b").iterdir():  # Snakemake removes a re-run job's outputs
        f.unlink()
    stats, resumed = run("b", store)
    assert stats["restored"] == 2 and stats["made"] == 3
    for t in reference:
        assert Path(reference[t]).read_bytes() == Path(resumed[t]).read_bytes(), f"matte {t} differs"
    stable, raw = read_gray(reference[3]).astype(float) / 255, matte_of(rgbs[3], matte, key)
    assert np.abs(stable - raw).max() > 0.05, "the stabilisation must change the matte for this to test it"


@pytest.fixture(scope="module")
def real_plate(tmp_path_factory):
    """Two seconds of the real chroma-key plate (a man before a lit yellow-lime backdrop), 160x96, 10 fps."""
    from paintflow.video import extract_frames

    d = tmp_path_factory.mktemp("plate")
    video = shared("video", "chroma_keying_man.mp4")
    info = probe(video, width=160, fps=10, start=3, duration=2)
    out = [d / f"{t:06d}.png" for t in range(1, info["frames"] + 1)]
    extract_frames(video, out, info)
    return [read_rgb(p) for p in out]


def test_the_real_plate_keys_its_backdrop_and_keeps_the_face(real_plate):
    key = estimate_key(real_plate[:5])
    backdrop = np.array([[[204, 206, 18]]], np.float32)  # the backdrop's mean colour (shared/data/SOURCES.md)
    distance = float(np.linalg.norm(np.asarray(key["chroma"]) - chroma(backdrop)[0, 0]))
    print(f"estimated key RGB {key['rgb']}, chroma distance to the backdrop {distance:.1f}")
    assert distance < 12
    face = (slice(18, 44), slice(68, 92))  # annotated by hand: on the face in all 20 frames (y, x)
    for t, rgb in enumerate(real_plate, start=1):
        alpha, _ = key_plate(rgb, key)
        corners = [alpha[:12, :12], alpha[:12, -12:]]  # backdrop in the top corners
        assert max(c.mean() for c in corners) < 0.05, f"frame {t}: the backdrop is not keyed out"
        assert alpha[face].mean() > 0.95, f"frame {t}: the face is not kept ({alpha[face].mean():.3f})"


def test_person_segmentation_covers_the_person():
    from paintflow.person import available, segment

    if not available():
        pytest.skip("mediapipe is not installed (make person): person segmentation cannot run here")
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"paintflow_person_{os.getpid()}.png"
    segment([str(shared("content", "astronaut.png"))], [str(out)])
    mask = from_png(read_gray(out)) > 0.5
    out.unlink()
    # drawn by hand on the 512x512 photo: the astronaut and the helmet she holds (a performer's prop is kept)
    truth = np.zeros(mask.shape, np.uint8)
    cv2.ellipse(truth, (228, 92), (74, 78), 0, 0, 360, 1, -1)  # head and hair
    body = [[160, 150], [300, 150], [345, 215], [368, 300], [372, 512], [18, 512], [20, 330], [35, 250], [115, 185]]
    cv2.fillPoly(truth, [np.array(body, np.int32)], 1)  # neck ring, shoulders, arms, torso
    cv2.ellipse(truth, (392, 432), (112, 88), 0, 0, 360, 1, -1)  # the helmet in her hands
    truth = truth.astype(bool)
    iou = (mask & truth).sum() / (mask | truth).sum()
    print(f"person segmentation of astronaut.png: IoU {iou:.3f} with the hand-drawn astronaut and helmet")
    assert iou > 0.8


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    """A performer in the fast look over another render (a painted clip), and the inverse."""
    wd = tmp_path_factory.mktemp("keyed")
    bird = make_clip(wd / "bird.mp4", audio=False, seconds=0.5)
    cfg = {
        "videos": {
            "plate": {
                "path": str(shared("video", "chroma_keying_man.mp4")),
                "width": 96,
                "fps": 10,
                "start": 3,
                "duration": 0.8,
                "matte": {"method": "chroma"},
            },
            "bird": {"path": str(bird), "width": 96, "fps": 10},
        },
        "renders": {
            "background": {"video": "bird", "look": "fast", "fast": {"style": 19}},
            "performer": {
                "video": "plate",
                "look": "fast",
                "fast": {"style": 7},
                "key": {"background": {"render": "background"}},
            },
            "inverse": {"video": "plate", "look": "fast", "key": {"stylize": "background"}},
        },
        "upscale": {"scale": 1},
        "execution": {"chunk_frames": 4},
    }
    (wd / "config.yaml").write_text(yaml.safe_dump(cfg))
    run_snakemake(wd)
    return wd


def test_keyed_render_composites_the_performer_over_another_render(keyed):
    r = keyed / "results"
    got = stream_info(r / "renders/performer/performer.mp4")
    assert got["frames"] == 8 and got["size"] == (96, 58)
    for t in range(1, 9):
        alpha = from_png(read_gray(r / f"videos/plate/mattes/{t:06d}.png"))
        out, look = (
            read_rgb(r / f"renders/performer/composite/{t:06d}.png"),
            read_rgb(r / f"renders/performer/fast/{t:06d}.png"),
        )
        bg = cover(read_rgb(r / f"renders/background/fast/{(t - 1) % 5 + 1:06d}.png"), 96, 58)  # looped
        assert np.abs(out.astype(float) - look)[alpha > 0.99].mean() < 1.0  # the painted performer
        assert np.abs(out.astype(float) - bg)[alpha < 0.01].mean() < 1.0  # the other render around him
    inverse = read_rgb(r / "renders/inverse/composite/000004.png").astype(float)
    filmed = read_rgb(r / "videos/plate/frames/000004.png").astype(float)
    alpha = from_png(read_gray(r / "videos/plate/mattes/000004.png"))
    # the performer as filmed: exactly beyond the despill's reach (6 px and its 3 px blur) inside the matte,
    # and within a few grey levels where the matte reads 1 (the despilled edges: a soft edge's band reaches
    # further in)
    interior = cv2.erode((alpha >= 0.999).astype(np.uint8), np.ones((21, 21), np.uint8)) > 0
    assert interior.sum() > 100 and np.abs(inverse - filmed)[interior].mean() < 0.5
    assert np.abs(inverse - filmed)[alpha > 0.99].mean() < 8.0
    stages = read_rgb(r / "renders/performer/report/stages.png")
    assert stages.shape[1] > 5 * 96  # source, flow, mask, matte, fast look, composite columns
    # its preview (paintflow preview, the studio's) is the frame the video shows, not the frame painted whole
    from paintflow.cost import load
    from paintflow.preview import look_preview, preview, source_frame

    dag = load(keyed, keyed / "config.yaml")[1]
    ((shown, _),) = preview(dag, "performer", [4], keyed / "previews")
    made = read_rgb(r / "renders/performer/composite/000004.png").astype(float)
    alpha = from_png(read_gray(r / "videos/plate/mattes/000004.png"))
    whole = look_preview("fast")(dag, "performer", source_frame(dag, "performer", 4))  # the frame painted whole
    sure = (alpha < 0.01) | (alpha > 0.99)  # away from the edge (the render's matte is also calmed by the flow)
    error, naive = (np.abs(img.astype(float) - made)[sure].mean() for img in (read_rgb(shown), whole))
    print(f"keyed preview vs the render's composite: {error:.2f} grey levels (the frame painted whole: {naive:.1f})")
    assert error < 6.0 and error < naive / 5


@pytest.mark.parametrize(
    "change,needles",
    [
        ({"color": "greenish"}, ["videos.plate.matte.color", "'greenish' is not a colour"]),
        ({"method": "person"}, ["videos.plate.matte.method", "make person"]),
    ],
)
def test_bad_matte_settings_fail_before_any_job(tmp_path, change, needles):
    cfg = {
        "videos": {
            "plate": {
                "path": str(shared("video", "chroma_keying_man.mp4")),
                "width": 64,
                "duration": 0.5,
                "matte": {"method": "chroma", **change},
            }
        },
        "renders": {"r": {"video": "plate", "look": "fast", "key": {}}},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    env = {**os.environ, "PAINTFLOW_PERSON_PYTHON": str(tmp_path / "no_python")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "-s",
            str(Path(__file__).parents[1] / "Snakefile"),
            "--directory",
            str(tmp_path),
            "--cores",
            "1",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    for needle in needles:
        assert needle in out, out[-2000:]
    assert not (tmp_path / "results/videos/plate/frames").exists()


def test_a_background_video_without_frames_fails_before_any_job(tmp_path):
    cfg = {
        "videos": {
            "plate": {
                "path": str(shared("video", "chroma_keying_man.mp4")),
                "width": 64,
                "duration": 0.5,
                "matte": {"method": "chroma"},
            },
            "empty": {"path": str(shared("video", "cockatoo.mp4")), "start": 60},
        },
        "renders": {"r": {"video": "plate", "look": "fast", "key": {"background": {"video": "empty"}}}},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    proc = run_snakemake(tmp_path, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "videos.empty.path" in out and "no frames in the selected range" in out


def test_a_keyed_preview_paints_only_what_the_key_keeps():
    """`paintflow preview` (and the studio's) of a keyed render shows the frame its video will: the look
    on the performer over the background, not the whole frame painted."""
    from paintflow.key import estimate_key, keyed_look, matte_of

    rgb = np.zeros((48, 64, 3), np.uint8)
    rgb[...] = (30, 200, 40)  # the screen
    rgb[14:34, 20:44] = (200, 60, 50)  # the performer
    matte = {"method": "chroma", "edge": "hard", "inner": 6, "outer": 36, "speck": 0, "hole": 0, "grow": 0,
             "feather": 0}  # fmt: skip
    key = estimate_key([rgb])
    alpha = matte_of(rgb, matte, key)
    painted = lambda frame: 255 - frame  # noqa: E731 - a look anybody can recognise
    background = np.full((24, 32, 3), 90, np.uint8)
    out = keyed_look(rgb, alpha, key, 1.0, "performer", painted, background)
    assert np.abs(out[24, 32].astype(int) - (255 - rgb[24, 32])).max() <= 2  # the performer, painted
    assert np.abs(out[2, 2].astype(int) - 90).max() <= 2  # the background it goes over, not the screen
    inverse = keyed_look(rgb, alpha, key, 1.0, "background", painted, None)
    assert np.abs(inverse[24, 32].astype(int) - rgb[24, 32]).max() <= 2  # the performer as filmed
