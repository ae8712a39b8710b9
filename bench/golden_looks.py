"""Every look rendered on a tiny clip, its frames hashed: the proof that a refactor changes no pixel.

    python bench/golden_looks.py --save  tests/golden_looks.json   # before the change
    python bench/golden_looks.py --check tests/golden_looks.json   # after it: same frames, jobs and ids

One config holds a render of each look (paint with long-term + two passes, paint in two segments, fast
with flow_blend, dream, zoom, layer sheet, a keyed fast render over the painted one, music, latent),
rendered once with Snakemake from a fresh folder. Recorded: the SHA-256 of every per-frame output and
sheet under results/renders and results/videos (flow included), every stage identity file, and the
job list of a dry run from scratch (rule names). Hashes are of this machine's CPU build of torch: save and
check on one machine. About 3 minutes on 2 cores.
"""

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import imageio_ffmpeg
import yaml

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


def clip(out: Path) -> Path:
    """0.8 s of cockatoo.mp4 from 5 s, 160×90, with a 440 Hz tone (the tests' clip)."""
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    cmd = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-i", str(SHARED / "video" / "cockatoo.mp4")]
    cmd += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000:duration=5.8", "-map", "0:v:0", "-map"]
    cmd += ["1:a:0", "-c:a", "aac", "-ss", "5", "-t", "0.8", "-s", "160x90", "-c:v", "libx264", "-pix_fmt"]
    subprocess.run([*cmd, "yuv420p", str(out)], check=True)
    return out


def config(wd: Path) -> dict:
    style = str(SHARED / "style" / "great_wave.jpg")
    paintings = wd / "paintings"
    paintings.mkdir(exist_ok=True)
    for name in ("great_wave.jpg", "composition_vii.jpg"):
        (paintings / name).write_bytes((SHARED / "style" / name).read_bytes())
    still = str(SHARED / "content" / "astronaut.png")
    light = {"octaves": 1, "iterations": 2, "step": 2.0, "jitter": 4}
    return {
        "videos": {
            "clip": {"path": str(clip(wd / "clip.mp4")), "width": 64, "fps": 10},
            "plate": {
                "path": str(SHARED / "video" / "chroma_keying_man.mp4"),
                "width": 64,
                "fps": 10,
                "start": 3,
                "duration": 0.8,
                "matte": {"method": "chroma"},
            },
        },
        "renders": {
            "paint": {
                "video": "clip",
                "style": style,
                "stylize": {"long_term": [1, 2], "passes": 2, "pass_iterations": 3},
            },
            "segments": {"video": "clip", "style": style, "stylize": {"segments": 2, "overlap": 2}},
            "fast": {"video": "clip", "look": "fast", "fast": {"style": 5}, "smooth": {"method": "flow_blend"}},
            "dream": {"look": "dream", "video": "clip", "dream": light},
            "zoom": {
                "look": "zoom",
                "dream": light,
                "zoom": {"image": still, "width": 48, "frames": 6, "fps": 10, "iterations": 2, "octaves": 1},
            },
            "sheet": {
                "look": "layer_sheet",
                "dream": light,
                "layer_sheet": {"image": still, "width": 48, "layers": ["relu2_2", "relu3_3"]},
            },
            "keyed": {
                "video": "plate",
                "look": "fast",
                "fast": {"style": 11},
                "key": {"background": {"render": "paint"}},
            },
            "latent": {
                "video": "clip",
                "look": "latent",
                "latent": {"paintings": str(paintings), "width": 32, "steps": 12, "refiner_steps": 4, "batch": 4},
                "smooth": {"method": "blend", "alpha": 0.3},
            },
            "music": {"video": "clip", "look": "music", "music": {"clusters": 2}},
        },
        "execution": {"chunk_frames": 4},
        "upscale": {"scale": 1},
        "flow": {"keep": True},
        "stylize": {"iterations": 4, "first_frame_iterations": 8},
    }


def snakemake(wd: Path, *args) -> subprocess.CompletedProcess:
    from paintflow.cost import snakemake_cmd

    cmd = snakemake_cmd(wd, wd / "config.yaml", "--config=shots={default: none}", *args)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"snakemake {' '.join(args)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return proc


def record(wd: Path) -> dict:
    results = wd / "results"
    jobs = snakemake(wd, "--list-rules").stdout.split()
    snakemake(wd, "--cores", "2")
    frames = {}
    for folder in ("renders", "videos"):
        for path in sorted((results / folder).rglob("*")):
            if path.is_file() and path.suffix in (".png", ".npz", ".flo", ".json") and "report" not in path.parts:
                if path.name in ("info.json", "media.json", "quality.json") or "quality" in path.parts:
                    continue  # timing and probing facts, not pixels
                frames[str(path.relative_to(results))] = hashlib.sha256(path.read_bytes()).hexdigest()
    ids = {p.name: json.loads(p.read_text()) for p in sorted((results / ".paintflow" / "ids").glob("*.json"))}
    return {"jobs": sorted(jobs), "ids": ids, "frames": frames}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path)
    group.add_argument("--check", type=Path)
    ap.add_argument("--workdir", type=Path, help="render here (default: a new temporary folder)")
    a = ap.parse_args()
    wd = a.workdir or Path(tempfile.mkdtemp(prefix="paintflow-golden-"))
    wd.mkdir(parents=True, exist_ok=True)
    (wd / "config.yaml").write_text(yaml.safe_dump(config(wd)))
    now = record(wd)
    print(f"{len(now['frames'])} files hashed, {len(now['ids'])} identities, {len(now['jobs'])} rules ({wd})")
    if a.save:
        a.save.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
        return
    before = json.loads(a.check.read_text())
    bad = 0
    for part in ("jobs", "ids", "frames"):
        old, new = before[part], now[part]
        if isinstance(old, list):
            old, new = dict.fromkeys(old, 1), dict.fromkeys(new, 1)
        differ = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        bad += len(differ)
        print(
            f"{part}: {len(old)} before, {len(new)} now, {len(differ)} differ"
            + "".join(f"\n  {k}" for k in differ[:20])
        )
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
