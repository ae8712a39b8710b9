"""Long-term consistency and multi-pass on a real clip (cockatoo, 2-core CPU friendly sizes): renders the
clip painted single-pass, with long-term J = {1, 2, 4}, and with 4 passes, prints the warping errors the
README quotes and draws docs/images/consistency.png (per-frame warping error of each).

    python bench/painted_consistency.py --workdir /tmp/consistency --out docs/images

Warping error of frames (a, b): mean squared difference between b and a warped to b by the source's
flow, where the consistency mask says the flow is reliable (`paintflow.metrics.warping_error`).
Long-term: between t-4 and t, with the flow computed directly between those source frames.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np
import yaml
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from paintflow.figures import line_chart  # noqa: E402
from paintflow.files import read_flow, read_gray, read_rgb  # noqa: E402
from paintflow.masks import from_png  # noqa: E402
from paintflow.metrics import warping_error  # noqa: E402

SHARED = REPO.parent / "shared" / "data"


def config(frames: int, width: int) -> dict:
    style = str(SHARED / "style" / "starry_night.jpg")
    return {
        "videos": {
            "clip": {
                "path": str(SHARED / "video" / "cockatoo.mp4"),
                "width": width,
                "fps": 10,
                "start": 5.0,
                "duration": frames / 10,
            }
        },
        "renders": {
            "single": {"video": "clip", "style": style},
            "long": {"video": "clip", "style": style, "stylize": {"long_term": [1, 2, 4]}},
            "multi": {"video": "clip", "style": style, "stylize": {"passes": 4}},
        },
        "stylize": {"iterations": 10, "first_frame_iterations": 30, "pass_iterations": 8},
        "flow": {"keep": True},
        "upscale": {"scale": 1},
        "execution": {"chunk_frames": 10},
    }


def errors(results: Path, render: str, folder: str, frames: int, step: int = 1) -> list[float]:
    flows, masks = ("flow/bwd", "masks") if step == 1 else (f"longflow/bwd{step}", f"longmasks/{step}")
    out = results / "renders" / render / folder
    return [
        warping_error(
            read_rgb(out / f"{t - step:06d}.png"),
            read_rgb(out / f"{t:06d}.png"),
            read_flow(results / f"videos/clip/{flows}/{t - step:06d}.f16.npz"),
            from_png(read_gray(results / f"videos/clip/{masks}/{t:06d}.png")),
        )
        for t in range(1 + step, frames + 1)
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/paintflow-consistency"))
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "images")
    ap.add_argument("--frames", type=int, default=20)
    ap.add_argument("--width", type=int, default=96)
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    (args.workdir / "config.yaml").write_text(yaml.safe_dump(config(args.frames, args.width)))
    from paintflow.cost import snakemake_cmd

    cmd = snakemake_cmd(args.workdir, args.workdir / "config.yaml", "--cores", "2", "--quiet", "all")
    subprocess.run(cmd, check=True)
    r, n = args.workdir / "results", args.frames
    single, multi = errors(r, "single", "stylized", n), errors(r, "multi", "pass4", n)
    short4, long4 = errors(r, "single", "stylized", n, 4), errors(r, "long", "stylized", n, 4)
    first = 9  # pairs (1,2)..(9,10): the first 10 frames
    print("multi-pass, warping error (t-1 -> t), first 10 frames / rest / all:")
    print(f"  single pass  {np.mean(single[:first]):.5f} / {np.mean(single[first:]):.5f} / {np.mean(single):.5f}")
    print(f"  4 passes     {np.mean(multi[:first]):.5f} / {np.mean(multi[first:]):.5f} / {np.mean(multi):.5f}")
    print(f"long-term, warping error (t-4 -> t, direct flow): J={{1}} {np.mean(short4):.5f}, ", end="")
    print(f"J={{1,2,4}} {np.mean(long4):.5f}")
    top = line_chart(
        {"single pass": single, "4 passes": multi},
        "warping error t-1 -> t, per frame (cockatoo, Starry Night)",
        x0=2,
    )
    bottom = line_chart(
        {"temporal loss J = {1}": short4, "long-term J = {1, 2, 4}": long4},
        "warping error t-4 -> t (flow computed directly between the two source frames)",
        x0=5,
    )
    sheet = Image.new("RGB", (top.width, top.height + bottom.height), (255, 255, 255))
    sheet.paste(top, (0, 0))
    sheet.paste(bottom, (0, top.height))
    args.out.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out / "consistency.png", optimize=True)
    print(f"wrote {args.out / 'consistency.png'}")


if __name__ == "__main__":
    main()
