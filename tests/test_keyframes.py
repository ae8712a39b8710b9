"""The keyframe look (issue 45): a few frames painted by hand carried through the shot. A known answer:
another look's render of a real clip is the truth; two of its frames are given as keyframes; the frames
between, painted by the look, are compared with the truth, beside the two obvious ways to do it."""

import shutil

import numpy as np
import pytest
import yaml
from PIL import Image

from conftest import make_clip, run_snakemake, shared
from paintflow import PaintflowError
from paintflow.files import read_rgb
from paintflow.metrics import psnr, ssim

QUALITY = True  # its renders run the quality stage (tests/conftest.py: _quality_stage)
FRAMES, KEYS, FAR = 12, (1, 12), (5, 6, 7, 8)  # far: at least 4 frames from a keyframe


def config(wd, renders: dict) -> dict:
    return {
        "videos": {"clip": {"path": str(wd / "clip.mp4"), "width": 96, "fps": 10}},
        "renders": renders,
        "execution": {"chunk_frames": 6},
        "flow": {"method": "dis"},
    }


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The truth (the fast look with a built-in style) and the keyframe look given its frames 1 and 12."""
    wd = tmp_path_factory.mktemp("keyframes")
    make_clip(wd / "clip.mp4", audio=False, seconds=FRAMES / 10, start=7.0, size="192x108")  # the cockatoo turns
    truth = {"video": "clip", "look": "fast", "fast": {"style": 7}}
    (wd / "config.yaml").write_text(yaml.safe_dump(config(wd, {"truth": truth})))
    run_snakemake(wd)
    keys = wd / "painted"
    keys.mkdir()
    for t in KEYS:
        shutil.copy(wd / f"results/renders/truth/fast/{t:06d}.png", keys / f"{t:06d}.png")
    look = {
        "video": "clip",
        "look": "keyframes",
        "keyframes": {"keyframes": str(keys), "steps": 400, "channels": 16},
    }  # smoothed by the look's own default (flow_blend 0.8): the keyframes themselves stay exact
    (wd / "config.yaml").write_text(yaml.safe_dump(config(wd, {"truth": truth, "keys": look})))
    run_snakemake(wd)
    return wd


def frame(wd, stage, owner, t):
    folder = {"frames": f"videos/{owner}/frames"}.get(stage, f"renders/{owner}/{stage}")
    return read_rgb(wd / "results" / folder / f"{t:06d}.png")


def test_the_keyframe_look_beats_warping_and_the_fast_look_given_the_keyframe(rendered):
    from paintflow.flow import compute_flow
    from paintflow.looks.fast.stylizer import FastSettings, FastStylizer
    from paintflow.warp import warp

    wd = rendered
    fast = {k: FastStylizer(FastSettings(style=str(wd / f"painted/{k:06d}.png"))) for k in KEYS}
    made = {"ours": [], "warped": [], "restyled": []}
    for t in FAR:
        k = min(KEYS, key=lambda k: abs(k - t))  # noqa: B023
        source = frame(wd, "frames", "clip", t)
        flow = compute_flow(source, frame(wd, "frames", "clip", k), "deepflow")  # t → k: k's pixels onto t
        made["ours"].append(frame(wd, "keyframes", "keys", t))
        made["warped"].append(np.rint(np.clip(warp(frame(wd, "fast", "truth", k).astype(np.float32), flow), 0, 255)))
        made["restyled"].append(fast[k](source))
    truths = [frame(wd, "fast", "truth", t) for t in FAR]
    scores = {n: np.mean([psnr(x, y) for x, y in zip(m, truths, strict=True)]) for n, m in made.items()}
    alike = {n: np.mean([ssim(x.astype(np.uint8), y) for x, y in zip(m, truths, strict=True)]) for n, m in made.items()}
    print(f"PSNR, SSIM on frames {FAR}: " + ", ".join(f"{n} {scores[n]:.2f} dB, {alike[n]:.3f}" for n in made))
    ours, warped, restyled = scores["ours"], scores["warped"], scores["restyled"]
    assert ours >= warped + 2 and ours >= restyled + 2, (ours, warped, restyled)
    assert alike["ours"] > max(alike["warped"], alike["restyled"]), alike
    for t in KEYS:  # the keyframes themselves
        got = psnr(frame(wd, "keyframes", "keys", t), read_rgb(wd / f"painted/{t:06d}.png"))
        assert got >= 35, f"keyframe {t} reproduced at {got:.1f} dB"


def test_the_keyframe_look_is_as_steady_as_the_footage(rendered):
    """Each frame painted on its own, then flow-blended (alpha 0.8: the look's default smoothing) with the
    previous output: its warping error (the optical flow's, with its consistency mask) at or below the
    footage's own (measured: 0.0014 against 0.0018)."""
    import json

    snapshot = json.loads((rendered / "results/.paintflow/renders/keys.json").read_text())
    assert snapshot["smooth"]["method"] == "flow_blend" and snapshot["smooth"]["alpha"] == 0.8

    records = [json.loads(p.read_text()) for p in sorted((rendered / "results/renders/keys/quality").glob("*.json"))]
    assert all(r["flow"] for r in records if r["t"] > 1)
    e1 = np.mean([r["e1"] for r in records if r.get("e1") is not None])
    floor = np.mean([r["floor1"] for r in records if r.get("floor1") is not None])
    print(f"warping error {e1:.4f}, the footage's {floor:.4f}")
    assert e1 <= floor, (e1, floor)


def test_the_report_shows_each_sampled_frame_beside_its_nearest_keyframe(rendered):
    import json

    snapshot = json.loads((rendered / "results/.paintflow/renders/keys.json").read_text())
    report = snapshot["sheet"]["report"]
    nearest = [int(min(KEYS, key=lambda k: (abs(k - t), k))) for t in report["samples"]]  # noqa: B023
    assert report["columns"]["nearest keyframe"] == [str(rendered / f"painted/{k:06d}.png") for k in nearest]
    assert (rendered / "results/renders/keys/report/stages.png").is_file()


@pytest.mark.parametrize(
    "name, said",
    [
        ("000099.png", "000099.png paints frame 99, but the clip has 12 frames"),
        ("keyframe.png", "keyframe.png: a keyframe is a picture named by the frame it paints"),
        ("000003.png:square", "000003.png is 64x64 (aspect 1.000), the clip's frames are 96x54"),
        ("000003.png:text", "000003.png is not a readable image"),
    ],
)
def test_bad_keyframes_are_named_before_any_work(tmp_path, name, said):
    from paintflow.config import prepare
    from paintflow.dag import RenderDag

    make_clip(tmp_path / "clip.mp4", audio=False, seconds=FRAMES / 10, size="192x108")
    keys = tmp_path / "painted"
    keys.mkdir()
    painting = Image.open(shared("style", "starry_night.jpg")).convert("RGB")
    painting.resize((96, 54)).save(keys / "000001.png")
    file, _, kind = name.partition(":")
    if kind == "text":
        (keys / file).write_text("not a picture")
    else:
        Image.new("RGB", (64, 64) if kind == "square" else (96, 54)).save(keys / file)
    look = {"video": "clip", "look": "keyframes", "keyframes": {"keyframes": str(keys)}}
    cfg = {**config(tmp_path, {"keys": look}), "results": str(tmp_path / "results")}
    with pytest.raises(PaintflowError, match="renders.keys.keyframes.keyframes") as err:
        RenderDag(prepare(cfg))
    assert said in str(err.value)


def test_a_shot_without_a_keyframe_is_named_or_shown_as_filmed(tmp_path):
    from paintflow.config import prepare
    from paintflow.dag import RenderDag

    make_clip(tmp_path / "clip.mp4", audio=False, seconds=FRAMES / 10, size="192x108")
    keys = tmp_path / "painted"
    keys.mkdir()
    Image.open(shared("style", "starry_night.jpg")).convert("RGB").resize((192, 108)).save(keys / "000002.jpg")
    look = {"video": "clip", "look": "keyframes", "keyframes": {"keyframes": str(keys)}}
    cfg = {**config(tmp_path, {"keys": look}), "results": str(tmp_path / "results")}
    cfg["videos"]["clip"]["shots"] = [8]
    with pytest.raises(PaintflowError, match=r"shot 2 \(frames 8-12\) has no keyframe"):
        RenderDag(prepare(cfg))
    look["keyframes"]["missing"] = "as_filmed"
    dag = RenderDag(prepare(cfg))
    assert dag.renders["keys"].derived["shots"] == [[1, 8, [2]], [8, 13, []]]


def test_paintflow_keyframes_writes_the_frames_worth_painting(rendered):
    import subprocess
    import sys

    out = rendered / "to_paint"
    proc = subprocess.run(
        [sys.executable, "-m", "paintflow", "keyframes", "keys", "--directory", str(rendered), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    written = sorted(p.name for p in out.glob("*.png"))
    assert written[0] == "000001.png" and "000001.png  shot 1 starts" in proc.stdout, proc.stdout
    for name in written:  # the frames themselves, at the processing size, named as frames/ names them
        assert np.array_equal(read_rgb(out / name), frame(rendered, "frames", "clip", int(name[:6])))
    assert (out / "sheet.jpg").is_file() and "set renders.keys.keyframes.keyframes" in proc.stdout


def test_a_keyframes_alpha_says_where_the_painting_applies(tmp_path):
    """A keyframe painted over the right half only (alpha 0 on the left): the network paints its alpha too,
    and the frame shows as filmed where the painting does not apply."""
    from paintflow.files import write_rgb
    from paintflow.looks.keyframes.patches import Painter, train

    source = np.asarray(Image.open(shared("content", "astronaut.png")).convert("RGB").resize((64, 48)))
    key = np.concatenate([255 - source, np.zeros(source.shape[:2] + (1,), np.uint8)], 2)  # a negative …
    key[:, 32:, 3] = 255  # … painted over the right half
    write_rgb(tmp_path / "000001.png", source)
    Image.fromarray(key, "RGBA").save(tmp_path / "key.png")
    # a shot of two frames, the second its neighbour (the same still: the keyframe carried onto it whole)
    derived = {"keyframes": {"1": str(tmp_path / "key.png")}, "shots": [[1, 3, [1]]], "alpha": True}
    settings = {"steps": 150, "patch": 24, "batch": 8, "channels": 16, "levels": 1, "learning_rate": 0.003, "seed": 0}
    frames = {1: tmp_path / "000001.png", 2: tmp_path / "000001.png"}
    train(derived, frames, settings | {"neighbours": 1}, {"model": tmp_path / "m.pt", "loss": tmp_path / "l.csv"})
    out = Painter(tmp_path / "m.pt", "cpu")(1, source).astype(np.float64)  # the network alone (reach 0)
    left = np.abs(out[:, :28] - source[:, :28]).mean()  # a few pixels off the edge of the painting
    right = np.abs(out[:, 36:] - (255 - source[:, 36:])).mean()
    assert left < 12 and right < 25, (left, right)


def test_a_killed_training_goes_on_from_its_checkpoint_to_the_same_network_and_a_kept_shot_is_not_trained(tmp_path):
    import torch

    from paintflow.files import write_rgb
    from paintflow.looks.keyframes.patches import train, train_shot

    source = np.asarray(Image.open(shared("content", "astronaut.png")).convert("RGB").resize((48, 32)))
    pairs = [(source, 255 - source)]
    settings = {"steps": 40, "patch": 16, "batch": 4, "channels": 8, "levels": 1, "learning_rate": 0.003, "seed": 0}
    settings["neighbours"] = 0
    straight, straight_losses = train_shot(pairs, settings, "cpu")

    def killed(step, loss):
        if step == 26:  # checkpoints every 4 steps: the last one at step 24
            raise KeyboardInterrupt

    checkpoint = tmp_path / "shot.part.pt"
    with pytest.raises(KeyboardInterrupt):
        train_shot(pairs, settings, "cpu", on_step=killed, checkpoint=checkpoint)
    assert torch.load(checkpoint, weights_only=False)["step"] == 24
    resumed, resumed_losses = train_shot(pairs, settings, "cpu", checkpoint=checkpoint)
    assert resumed_losses == straight_losses
    for (name, a), b in zip(straight.state_dict().items(), resumed.state_dict().values(), strict=True):
        assert torch.equal(a, b), name

    write_rgb(tmp_path / "000001.png", source)
    write_rgb(tmp_path / "key.png", 255 - source)
    derived = {"keyframes": {"1": str(tmp_path / "key.png")}, "shots": [[1, 2, [1]]], "alpha": False}
    out = {"model": tmp_path / "t/model.pt", "loss": tmp_path / "t/loss.csv"}
    assert train(derived, {1: tmp_path / "000001.png"}, settings, out).startswith("1 shots trained, 0 kept")
    first = torch.load(out["model"], weights_only=True)
    assert train(derived, {1: tmp_path / "000001.png"}, settings, out).startswith("0 shots trained, 1 kept")
    again = torch.load(out["model"], weights_only=True)
    assert all(torch.equal(again["shots"][0][2][k], v) for k, v in first["shots"][0][2].items())
    assert not list((tmp_path / "t/shots").glob("*.part.pt"))


def test_a_preview_paints_with_the_network_the_render_trained(rendered):
    """`paintflow preview` of a keyframe render whose training is done takes the shot's kept network (no
    training of its own): frame 6 as the render's painter paints it before smoothing."""
    from paintflow.cost import load
    from paintflow.looks.keyframes import preview as keyframe_preview
    from paintflow.looks.keyframes.patches import Painter
    from paintflow.preview import source_frame

    said = yaml.safe_load((rendered / "config.yaml").read_text()) | {"shots": {"default": "none"}}  # as rendered
    (rendered / "one_shot.yaml").write_text(yaml.safe_dump(said))
    _, dag = load(rendered, rendered / "one_shot.yaml")
    assert keyframe_preview.kept_network(dag, "keys", 1) is not None
    rgb = source_frame(dag, "keys", 6)
    keys = {k: (rendered / f"results/videos/clip/frames/{k:06d}.png", rendered / f"painted/{k:06d}.png") for k in KEYS}
    painter = Painter(rendered / "results/renders/keys/keyframe_training/model.pt", "cpu", keys, 4)
    assert np.array_equal(keyframe_preview.preview(dag, "keys", rgb, t=6), painter(6, rgb))


def test_each_shot_trains_in_a_job_of_its_own_and_a_changed_keyframe_retrains_its_shot_alone(tmp_path):
    """Issue 45: the training is a job per shot (parallel on a cluster), each re-run only when its own
    keyframes change; one quick job gathers the shots' networks into the render's model; the plan's
    calibration (the clip's first 3 frames: the cut at 5 and keyframe 5 past them) has a keyframe."""
    import torch

    from paintflow.cost import dry_run

    make_clip(tmp_path / "clip.mp4", audio=False, seconds=0.8, size="192x108")
    keys = tmp_path / "painted"
    keys.mkdir()
    starry = Image.open(shared("style", "starry_night.jpg")).convert("RGB")
    for t in (1, 5):
        starry.resize((64, 36)).rotate(90 * t).save(keys / f"{t:06d}.png")
    tiny = {"steps": 6, "patch": 8, "batch": 2, "channels": 4, "levels": 1}
    look = {"video": "clip", "look": "keyframes", "keyframes": {"keyframes": str(keys), **tiny}}
    cfg = config(tmp_path, {"keys": look})
    cfg["videos"]["clip"].update(width=64, shots=[5])
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    training = tmp_path / "results/renders/keys/keyframe_training"
    run_snakemake(tmp_path, "results/renders/keys/keyframe_training/model.pt")
    benchmarks = tmp_path / "results/benchmarks/keyframes_train/keys"
    assert sorted(p.name for p in benchmarks.glob("*.tsv")) == ["job-shot000001.tsv", "job-shot000005.tsv"]
    model = torch.load(training / "model.pt", weights_only=True)
    assert [shot[:2] for shot in model["shots"]] == [[1, 5], [5, 9]] and all(s[2] for s in model["shots"])

    starry.resize((64, 36)).save(keys / "000005.png")  # shot 2's keyframe painted again
    jobs = [j for j in dry_run(tmp_path, tmp_path / "config.yaml") if "keyframe" in j["rule"]]
    trained = [o for j in jobs if j["rule"] == "keyframes_train_keys" for o in j["output"]]
    assert [o.split("/")[-1] for o in trained] == ["shot000005.pt"], jobs
    assert "keyframe_model_keys" in {j["rule"] for j in jobs}

    # `paintflow plan` measures the look on the first 3 frames: one shot, its keyframe there
    from paintflow.config import prepare
    from paintflow.cost import calibration_config, load
    from paintflow.dag import RenderDag

    loaded, dag = load(tmp_path, tmp_path / "config.yaml")
    calibration = RenderDag(prepare(calibration_config(loaded, dag, 3, tmp_path / "calibration")))
    assert calibration.renders["keys"].derived["shots"] == [[1, 4, [1]]]
    assert calibration.renders["keys"].settings["steps"] == 6


def test_between_two_keyframes_nearer_than_reach_the_strokes_mix_without_a_pop(tmp_path):
    """Keyframes 1 and 5 with reach 4 over a still frame, a network that paints grey: frames 2-4 take both
    keyframes by their nearness (200, 175, 150, 125, 100), not the nearest alone (a jump at the midpoint)."""
    import torch

    from paintflow.files import write_rgb
    from paintflow.looks.keyframes.patches import Painter, build

    net = build(4, 3, 1)
    for p in net.parameters():
        torch.nn.init.zeros_(p)  # sigmoid(0): grey 0.5 everywhere
    still = np.full((16, 16, 3), 90, np.uint8)
    keys = {}
    for k, grey in ((1, 200), (5, 100)):
        write_rgb(tmp_path / f"{k}.png", np.full((16, 16, 3), grey, np.uint8))
        keys[k] = (still, tmp_path / f"{k}.png")
    model = {"channels": 4, "levels": 1, "alpha": False, "shots": [[1, 6, net.state_dict()]]}
    painter = Painter(model, "cpu", keys, reach=4)
    greys = [float(painter(t, still).mean()) for t in range(1, 6)]
    assert greys == pytest.approx([200, 175, 150, 125, 100], abs=1), greys


def test_a_keyframe_teaches_the_frames_near_it_in_its_shot():
    from paintflow.looks.keyframes.patches import neighbour_frames

    assert neighbour_frames([1, 5], 1, 9, 2) == {2: (1, 1), 3: (1, 2), 4: (5, 1), 6: (5, 1), 7: (5, 2)}
    assert neighbour_frames([5], 4, 7, 3) == {4: (5, 1), 6: (5, 1)}  # never outside its shot
    assert neighbour_frames([5], 1, 9, 0) == {}


def test_the_config_check_decodes_a_keyframe_once_per_version_of_its_file(tmp_path, monkeypatch):
    """Reading the workflow (every dry run, and on a cluster every job) checks every keyframe's shape: a
    file unchanged since the last check is not decoded again; a file painted again is."""
    import os

    from paintflow.config import prepare
    from paintflow.dag import RenderDag
    from paintflow.looks.keyframes import patches

    make_clip(tmp_path / "clip.mp4", audio=False, seconds=FRAMES / 10, size="192x108")
    keys = tmp_path / "painted"
    keys.mkdir()
    painting = Image.open(shared("style", "starry_night.jpg")).convert("RGB")
    painting.resize((96, 54)).save(keys / "000001.png")
    look = {"video": "clip", "look": "keyframes", "keyframes": {"keyframes": str(keys)}}
    cfg = {**config(tmp_path, {"keys": look}), "results": str(tmp_path / "results")}
    first = RenderDag(prepare(cfg)).renders["keys"].derived
    decoded = []
    monkeypatch.setattr(patches, "read_keyframe", lambda p: decoded.append(p) or np.zeros((54, 96, 4), np.uint8))
    assert RenderDag(prepare(cfg)).renders["keys"].derived == first and decoded == []
    painting.resize((192, 108)).save(keys / "000001.png")  # painted again, larger
    os.utime(keys / "000001.png", ns=(1, 1))  # even with an old date
    assert RenderDag(prepare(cfg)).renders["keys"].derived["alpha"] is True and len(decoded) == 1
