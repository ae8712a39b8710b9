"""Fill ``resources/`` with the demo media, sha256-checked.

Sources, in order: a local copy of the shared sample data (``../shared/data``
beside the checkout, or ``$PAINTFLOW_SHARED``), then — when online — the public
repositories at pinned commits listed in shared/data/SOURCES.md.

    python -m paintflow.resources [--dest resources] [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import urllib.request
from pathlib import Path

from . import PaintflowError

_GH = "https://raw.githubusercontent.com"
# destination → (path under shared/data, sha256, public URL at a pinned commit)
MANIFEST = {
    "video/cockatoo.mp4": (
        "video/cockatoo.mp4",
        "5fde35f5a288ca86e216d2dc28188ab64b4560d3021f273faefdf0de80f38aa5",
        f"{_GH}/imageio/imageio-binaries/f8f64710ea88e7e4a352c0f7d8c0deac9f5fd685/images/cockatoo.mp4",
    ),
    "style/starry_night.jpg": (
        "style/starry_night.jpg",
        "0592ab0f7b51b3ce72608a95e53880bd93971e5b48f93a0ce8dfd3cbccf3d098",
        f"{_GH}/jcjohnson/neural-style/07c4b8299f8fbdafec0c514fc820ff1d7ff62e46/examples/inputs/starry_night.jpg",
    ),
    "content/astronaut.png": (
        "content/astronaut.png",
        "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
        f"{_GH}/imageio/imageio-binaries/f8f64710ea88e7e4a352c0f7d8c0deac9f5fd685/images/astronaut.png",
    ),
    "style/the_scream.jpg": (
        "style/the_scream.jpg",
        "f3075cddeb974a9ee1d6418f7f33fd05185a7ac7dcb4288bd2805d499a9dcaee",
        f"{_GH}/jcjohnson/neural-style/07c4b8299f8fbdafec0c514fc820ff1d7ff62e46/examples/inputs/the_scream.jpg",
    ),
    "video/chroma_keying_man.mp4": (  # a real recorded sound track for the music demo (CC0)
        "video/chroma_keying_man.mp4",
        "ff88c19738cefc5b69c5764b2a621e560e8e4b14e3edc555803cdc08d6bd5eae",
        f"{_GH}/mdn/dom-examples/78cb722eab598e4ca847b9fae90a8ff85fe2041c/canvas/chroma-keying/media/video.mp4",
    ),
}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def default_shared() -> Path:
    env = os.environ.get("PAINTFLOW_SHARED")
    return Path(env) / "data" if env else Path(__file__).resolve().parents[1].parent / "shared" / "data"


def fetch(dest: Path, shared: Path) -> list[str]:
    """Make every manifest file present and verified under ``dest``; return what was done."""
    done = []
    for rel, (shared_rel, digest, url) in MANIFEST.items():
        target = dest / rel
        if target.is_file() and sha256(target) == digest:
            done.append(f"ok       {target}")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.part")
        local = shared / shared_rel
        if local.is_file():
            shutil.copyfile(local, tmp)
            how = f"copied   {target} from {local}"
        else:
            try:
                urllib.request.urlretrieve(url, tmp)
            except OSError as err:
                raise PaintflowError(f"{rel}: not in {shared} and download from {url} failed: {err}") from err
            how = f"fetched  {target} from {url}"
        if sha256(tmp) != digest:
            tmp.unlink()
            raise PaintflowError(f"{rel}: sha256 mismatch (expected {digest})")
        os.replace(tmp, target)
        done.append(how)
    return done


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dest", type=Path, default=Path("resources"))
    parser.add_argument("--shared", type=Path, default=default_shared())
    args = parser.parse_args(argv)
    try:
        for line in fetch(args.dest, args.shared):
            print(line)
    except PaintflowError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
