"""Both axes for every temporal look: each rendered through the workflow on real clips with fast motion, its
own quality stage's figures printed side by side — warping error (steadiness, with the source's floor) and
content distance to the source frame (faithfulness), and what the stage flagged. No look may buy
steadiness by freezing its picture: a smoothing that lowers the warping error and raises the content
distance toward a frozen frame's shows here.

    python bench/looks_faithful.py [--workdir /tmp/looks_faithful] [--seconds 2]

Clips: big_buck_bunny.mp4 from 0 s (a subject climbing into the frame) and the chroma-key plate's whip pan
(from 10.8 s; the keyed render keys the performer out of it), 128 px wide, 10 fps. Each render is the
look's defaults with light settings for 2 cores (README's table lists them).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared" / "data"

from paintflow.cost import load, snakemake_cmd  # noqa: E402
from paintflow.quality import flag_list, render_summary  # noqa: E402


def config(wd: Path, seconds: float) -> dict:
    style = str(SHARED / "style" / "starry_night.jpg")
    paintings = wd / "paintings"
    paintings.mkdir(exist_ok=True)
    for name in ("starry_night.jpg", "great_wave.jpg"):
        (paintings / name).write_bytes((SHARED / "style" / name).read_bytes())
    clip = {"path": str(SHARED / "video" / "big_buck_bunny.mp4"), "width": 128, "fps": 10, "duration": seconds}
    pan = {
        "path": str(SHARED / "video" / "chroma_keying_man.mp4"),
        "width": 128,
        "fps": 10,
        "start": 10.8,
        "duration": seconds,
        "matte": {"method": "chroma"},
    }
    fast = {"look": "fast", "fast": {"style": style}}
    renders = {}
    for video in ("bunny", "pan"):
        renders |= {
            f"{video}_fast": {"video": video, **fast},
            f"{video}_fast_blend": {"video": video, **fast, "smooth": {"method": "blend", "alpha": 0.5}},
            f"{video}_fast_flow_blend": {"video": video, **fast, "smooth": {"method": "flow_blend", "alpha": 0.5}},
            f"{video}_dream": {
                "video": video,
                "look": "dream",
                "dream": {"octaves": 2, "iterations": 4},
                "smooth": {"method": "flow_blend", "alpha": 0.5},
            },
            f"{video}_music": {"video": video, "look": "music", "music": {"clusters": 2}},
            f"{video}_latent": {
                "video": video,
                "look": "latent",
                "latent": {"paintings": str(paintings), "width": 48, "steps": 200, "refiner_steps": 20, "batch": 8},
            },
        }
    renders["pan_keyed"] = {"video": "pan", **fast, "key": {"background": {"render": "bunny_fast_flow_blend"}}}
    return {
        "videos": {"bunny": clip, "pan": pan},
        "renders": renders,
        "upscale": {"scale": 1},
        "execution": {"chunk_frames": 10},
        "shots": {"default": "none"},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()
    wd = args.workdir or Path(tempfile.mkdtemp(prefix="paintflow-looks-faithful-"))
    wd.mkdir(parents=True, exist_ok=True)
    (wd / "config.yaml").write_text(yaml.safe_dump(config(wd, args.seconds)))
    proc = subprocess.run(snakemake_cmd(wd, wd / "config.yaml", "--cores", "2"), capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"snakemake failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    _, dag = load(wd, wd / "config.yaml")
    print("| render | E_warp t−1 (source floor) | t−4 (floor) | content distance mean / max | flagged |")
    print("|---|---|---|---|---|")
    for render in dag.renders:
        s = render_summary(dag, render)
        flow = "" if s["flow"] else " (no flow: frame difference)"
        print(
            f"| {render} | {s['e_warp']:.4f} ({s['floor']:.4f}){flow} | "
            + (f"{s['e_warp_long']:.4f} ({s['floor_long']:.4f})" if s["e_warp_long"] is not None else "–")
            + f" | {s['content']:.2f} / {s['content_max']:.2f} | "
            + (flag_list(s["flagged"]) or "none")
            + " |",
            flush=True,
        )


if __name__ == "__main__":
    main()
