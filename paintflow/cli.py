"""paintflow command line: plan a render's cost, watch its progress.

    paintflow plan   [--directory D] [--configfile F] [--cores N] [--gpus N] [--calibrate-frames K] [--json OUT]
    paintflow status [--directory D] [--configfile F] [--watch SECONDS]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from . import PaintflowError


def _common(parser):
    parser.add_argument("--directory", "-d", type=Path, default=Path("."), help="working directory of the render")
    parser.add_argument("--configfile", type=Path, default=None, help="config (default: <directory>/config.yaml)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="paintflow", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("plan", help="what the render still costs: job time, CPU/GPU hours, wall clock, disk")
    _common(p)
    p.add_argument("--cores", type=int, default=2)
    p.add_argument("--gpus", type=int, default=1)
    p.add_argument("--calibrate-frames", type=int, default=3, help="frames to render when nothing is measured")
    p.add_argument("--json", type=Path, help="also write the figures as JSON")
    s = sub.add_parser("status", help="frames stylized, frames per hour, ETA")
    _common(s)
    s.add_argument("--watch", type=float, default=0, help="refresh every SECONDS until done")
    args = ap.parse_args(argv)
    configfile = args.configfile or args.directory / "config.yaml"
    try:
        if args.command == "plan":
            from .planning import format_plan, make_plan

            result = make_plan(args.directory, configfile, args.cores, args.gpus, args.calibrate_frames)
            print(format_plan(result))
            if args.json:
                data = {k: v for k, v in result.items() if k != "table"}
                data["stages"] = result["table"].to_dict(orient="records")
                args.json.write_text(json.dumps(data, indent=2, default=str))
        else:
            from .planning import build_in, load_config
            from .progress import format_progress, render_progress

            config = load_config(configfile)
            videos, renders = build_in(args.directory.resolve(), config)
            while True:
                rows = render_progress(args.directory, config, videos, renders)
                print(format_progress(rows), flush=True)
                if not args.watch or all(r["done"] >= r["total"] for r in rows):
                    break
                time.sleep(args.watch)
    except (PaintflowError, RuntimeError) as err:
        print(f"paintflow: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
