"""The painted look's stopping rule: a frame stops when its picture stops changing, runs to its ceiling
while it keeps changing, and says how many iterations it took."""

import cv2
import numpy as np
import torch

from conftest import shared
from paintflow import vgg
from paintflow.files import read_rgb
from paintflow.looks.paint.settings import StyleSettings
from paintflow.looks.paint.stylize import resize_style, style_targets, stylize_frame
from paintflow.stopping import Records, StopRule, Watch, read_records, record_path, summary


def test_the_rule_waits_for_the_picture_and_the_style_to_settle():
    rule = StopRule(change=1.0, peak=8.0, style=0.02, window=3, min_iterations=2)
    x = torch.zeros(1, 3, 8, 8)
    watch = Watch(rule, x)
    for i in range(1, 6):  # 10 grey levels a step: never still
        x = x + 10 / 255
        assert not watch.update(x, torch.tensor(0.2), i)
    met = [watch.update(x, torch.tensor(0.2), i) for i in range(6, 10)]  # still from iteration 6 on
    assert met == [False, False, True, True]  # the window (3 iterations) must hold only still pictures
    assert watch.figures() == {"change": 0.0, "peak": 0.0, "style_change": 0.0}

    # a still picture whose style loss still falls by 5 % over the window is not finished
    watch = Watch(rule, x)
    assert not any(watch.update(x, torch.tensor(1.0 - 0.05 * i / 3), i) for i in range(1, 8))

    # one region still moving (2 % of the values by 20 grey levels: mean 0.4, under `change`) keeps it going
    watch, moving = Watch(rule, x), x.clone()
    for i in range(1, 8):
        moving = moving.clone()
        moving[0, 0, 0, :4] += 20 / 255 * (1 if i % 2 else -1)
        assert not watch.update(moving, torch.tensor(0.2), i)
    assert watch.mean < rule.change and watch.figures()["peak"] >= 19.9

    # stop_new: a still average is not enough while the new region (a quarter of the frame) is still painted
    new = torch.zeros(1, 1, 8, 8)
    new[..., :2, :] = 1.0
    watch, painting = Watch(StopRule(change=1.0, peak=255.0, style=1.0, window=3, new=True), x, new=new), x.clone()
    for i in range(1, 8):
        painting = painting.clone()
        painting[..., :2, :] += 3 / 255  # 3 grey levels a step there: 0.75 on average, 9 over the window there
        assert not watch.update(painting, torch.tensor(0.2), i)
    assert watch.mean < 3.0 and watch.figures()["new_change"] == 9.0
    watch = Watch(StopRule(change=1.0, peak=255.0, style=1.0, window=3), x, new=new)  # stop_new off: stops
    assert any(watch.update(x + 0.2 / 255 * i, torch.tensor(0.2), i) for i in range(1, 8))

    # the rule off (change 0): never met, even on a still picture
    off = Watch(StopRule(change=0.0), x)
    assert not any(off.update(x, torch.tensor(0.2), i) for i in range(1, 10))


def test_a_frame_stops_when_still_and_runs_to_its_ceiling_while_changing():
    torch.set_num_threads(2)
    net = vgg.VGGFeatures(vgg.convert("auto"))
    content = cv2.resize(read_rgb(shared("content", "chelsea.png")), (48, 32), interpolation=cv2.INTER_AREA)
    base = StyleSettings(first_frame_iterations=40, tolerance=0, stop_window=3, min_iterations=4)
    style = resize_style(read_rgb(shared("style", "starry_night.jpg")), content.shape, 1.0)
    targets = style_targets(net, style, base, "cpu")

    still, changing, trace = {}, {}, []
    # a threshold every picture change meets: the frame stops as soon as the rule may look (window + 1)
    loose = StyleSettings(**{**base.__dict__, "stop_change": 255.0, "stop_peak": 255.0, "stop_style": 100.0})
    stylize_frame(net, targets, content, loose, device="cpu", record=still)
    assert still["stopped"] == "still" and still["iterations"] == 4 and still["ceiling"] == 40
    # coarse-to-fine: each level stops by the rule too, and the work counts a ½-size iteration as ¼
    levels, coarse = StyleSettings(**{**loose.__dict__, "levels": [{"scale": 0.5, "iterations": 30}]}), {}
    stylize_frame(net, style_targets(net, style, levels, "cpu"), content, levels, device="cpu", record=coarse)
    assert coarse["levels"] == [4] and coarse["iterations"] == 4 and coarse["work"] == 5.0
    # a threshold no optimisation meets: the ceiling
    strict = StyleSettings(**{**base.__dict__, "stop_change": 1e-6})
    out = stylize_frame(net, targets, content, strict, device="cpu", record=changing, trace=trace)
    assert changing["stopped"] == "ceiling" and changing["iterations"] == 40 and changing["work"] == 40
    assert set(changing["loss"]) == {"content", "style", "tv"} and changing["change"] > 0
    assert len(trace) == 40 - 3 and trace[-1]["iteration"] == 40  # every iteration once the window is full
    # the rule only reads the picture: the same frame without it is the same picture
    off = StyleSettings(**{**base.__dict__, "stop_change": 0.0})
    assert np.array_equal(out, stylize_frame(net, targets, content, off, device="cpu"))


def test_records_survive_a_resumed_chunk_of_the_same_frames_only(tmp_path):
    path = record_path(tmp_path, "stylize", "r", range(1, 5))
    assert path == tmp_path / "benchmarks/stylize/r/000001-000004.iterations.json"
    first = Records(path, "store/stylize/r/KEY")
    first.add(1, {"iterations": 100, "stopped": "ceiling"})
    first.add(2, {"iterations": 9, "stopped": "still"})
    again = Records(path, "store/stylize/r/KEY")  # the resumed chunk restores frames 1-2 and keeps their records
    again.add(3, {"iterations": 12, "stopped": "still"})
    assert sorted(read_records(tmp_path, "stylize", "r")) == [1, 2, 3]
    assert Records(path, "store/stylize/r/OTHER").frames == {}  # other settings: other frames
    s = summary(read_records(tmp_path, "stylize", "r"))
    assert s["median"] == 12 and s["max"] == 100 and s["stopped"] == {"ceiling": 1, "still": 2}
