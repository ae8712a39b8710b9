"""The pictures of the README's "painted look, better" section: colour preservation and style blends on
one frame, and the warping error along a clip, single-pass vs multi-pass vs long-term.

    python bench/quality_pictures.py --out docs/images
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from paintflow import vgg  # noqa: E402
from paintflow.figures import contact_sheet  # noqa: E402
from paintflow.files import read_rgb  # noqa: E402
from paintflow.looks.paint.settings import StyleSettings  # noqa: E402
from paintflow.looks.paint.stylize import blended_targets, stylize_frame  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("docs/images"))
    ap.add_argument("--width", type=int, default=240)
    args = ap.parse_args()
    torch.set_num_threads(2)
    net = vgg.VGGFeatures(vgg.convert("auto"))
    photo = read_rgb(SHARED / "content" / "chelsea.png")
    frame = cv2.resize(
        photo, (args.width, round(args.width * photo.shape[0] / photo.shape[1])), interpolation=cv2.INTER_AREA
    )
    starry, scream = read_rgb(SHARED / "style" / "starry_night.jpg"), read_rgb(SHARED / "style" / "the_scream.jpg")
    tiles = [("frame", frame)]
    for label, styles, colour in (
        ("Starry Night", [(starry, 1, 1)], "none"),
        ("luminance only", [(starry, 1, 1)], "luminance"),
        ("histogram matched", [(starry, 1, 1)], "histogram"),
        ("The Scream", [(scream, 1, 1)], "none"),
        ("blend 1:1", [(starry, 1, 1), (scream, 1, 1)], "none"),
    ):
        s = StyleSettings(first_frame_iterations=60, preserve_color=colour)
        targets = blended_targets(net, styles, s, frame.shape, "cpu", frame)
        tiles.append((label, stylize_frame(net, targets, frame, s, device="cpu")))
        print(label, flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    sheet = contact_sheet(tiles, columns=3, width=3 * (frame.shape[1] + 4) + 4)
    sheet.convert("RGB").save(args.out / "colour_and_blends.jpg", quality=85)
    print(f"wrote {args.out / 'colour_and_blends.jpg'}")


if __name__ == "__main__":
    main()
