"""How true the terminal's time to go is: the demo (or a config) rendered with `paintflow render`, every
progress line timed as it arrives; for each line of the painted stage that gives an ETA, the time the stage
really took from then on. Prints the lines and the worst error after the first frame (issue 42: within 30 %).

    python bench/eta.py                      # the demo's config, in a scratch folder
    python bench/eta.py --config my.yaml --stage stylized
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^\[(?P<label>[^·\]]+) · [^\]]+\] frame (?P<t>\d+) .*?(?:ETA (?P<eta>[\d hminms]+))?$")


def seconds(text: str) -> float:
    """'1 min 06 s', '2 h 05 min', '40 s' → seconds."""
    total = 0.0
    for value, unit in re.findall(r"(\d+)\s*(h|min|s)", text):
        total += int(value) * {"h": 3600, "min": 60, "s": 1}[unit]
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", type=Path, default=REPO / "config.yaml")
    ap.add_argument("--stage", default="stylized", help="the progress label whose ETA is checked")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="paintflow-eta-"))
    config = yaml.safe_load(args.config.read_text())
    for v in config.get("videos", {}).values():
        v["path"] = str((args.config.parent / v["path"]).resolve())
    for r in config.get("renders", {}).values():
        if isinstance(r.get("style"), str):
            r["style"] = str((args.config.parent / r["style"]).resolve())
    (folder / "config.yaml").write_text(yaml.safe_dump(config))
    start = time.monotonic()
    seen: list[tuple[float, int, float | None]] = []  # (seconds since start, frame, ETA said)
    proc = subprocess.Popen(
        [sys.executable, "-m", "paintflow", "render", str(folder), "--", "--cores", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    for line in proc.stdout:
        m = LINE.match(line.strip())
        if m and m["label"].strip() == args.stage:
            seen.append((time.monotonic() - start, int(m["t"]), seconds(m["eta"]) if m["eta"] else None))
    code = proc.wait()
    total = time.monotonic() - start
    shutil.rmtree(folder, ignore_errors=True)
    if code != 0 or not seen:
        print(f"the render failed ({code}) or printed no {args.stage} lines")
        return 1
    end = seen[-1][0]
    print(f"render {total:.0f} s; {args.stage}: {len(seen)} frames, the last at {end:.0f} s")
    print("frame  at (s)  ETA said (s)  really (s)  error")
    worst = 0.0
    for at, t, eta in seen:
        really = end - at
        error = (eta - really) / really if eta is not None and really > 0 else None
        if error is not None and t != seen[0][1] and really >= 10:  # the last seconds: noise, not a forecast
            worst = max(worst, abs(error))
        said = f"{eta:12.0f}" if eta is not None else "           -"
        print(f"{t:5d}  {at:6.1f}  {said}  {really:10.0f}  " + (f"{100 * error:+.0f} %" if error is not None else ""))
    second = next((e for _, t, e in seen[1:] if e is not None), None)
    if second is not None:
        at = next(a for a, _, e in seen[1:] if e is not None)
        print(
            f"after the first frame: ETA {second:.0f} s, really {end - at:.0f} s "
            f"({100 * (second - end + at) / (end - at):+.0f} %)"
        )
    print(f"worst ETA error after the first frame, while 10 s or more were left: {100 * worst:.0f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
