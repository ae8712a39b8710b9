"""paintflow command line.

    paintflow new      a render folder for your own video: a config.yaml with comments, to edit
    paintflow render   render it (a render folder, a config, or a video and --style PAINTING at once)
    paintflow plan     what the render still costs: job time, CPU/GPU hours, wall clock, disk
    paintflow status   how far each render is: frames done per stage, frames per hour, ETA
    paintflow shots    each video's shots (first frame, time, length, score) and a contact sheet to check
    paintflow preview  one frame of a render's look in seconds (--sheet: every built-in fast style)
    paintflow verify   decode every finished artefact; damaged ones are made again by the next run
    paintflow resume   continue a render that died (refuses while another run is alive here)
    paintflow redo     make some frames of a render again (e.g. those verify --quality flagged)
    paintflow clean    remove what killed runs left, and frame-store entries no setting uses
    paintflow studio   the studio: a web page to make, watch and get renders (127.0.0.1:8765)

and those a look adds (registry.Command), e.g. paintflow keyframes: the frames of a render worth painting.

Every command works on a render folder (--directory, default: here) and its config
(--configfile, default: <directory>/config.yaml).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from . import PaintflowError, __version__
from .config import REPO


def _look_commands() -> dict:
    """The subcommands the looks add, by name (registry.Command)."""
    from .registry import LOOKS

    return {look.command.name: look.command for look in LOOKS.values() if look.command}


def _common(parser):
    parser.add_argument(
        "--directory",
        "-d",
        type=Path,
        default=Path("."),
        help="the render's working directory (default: the current directory)",
    )
    parser.add_argument(
        "--configfile", type=Path, default=None, help="the render's config (default: <directory>/config.yaml)"
    )


def _profile(parser):
    parser.add_argument(
        "--profile",
        default=str(REPO / "profiles" / "workstation"),
        help="Snakemake profile (default: profiles/workstation)",
    )
    parser.add_argument(
        "snakemake_args",
        nargs="*",
        metavar="SNAKEMAKE_ARG",
        help="more Snakemake arguments, after `--` (e.g. -- --cores 8)",
    )


def _new_options(parser):
    from .render_folder import FIRST_TRY_SECONDS, FIRST_TRY_WIDTH

    parser.add_argument("--style", type=Path, help="the painting (a picture file) the look paints like")
    parser.add_argument("--look", default="paint", help="the look (default: paint; README: the looks)")
    parser.add_argument(
        "--width", type=int, default=FIRST_TRY_WIDTH, help=f"processing width (default: {FIRST_TRY_WIDTH})"
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=FIRST_TRY_SECONDS,
        help=f"seconds of the video (default: the first {FIRST_TRY_SECONDS:g}; 0: all of it)",
    )
    parser.add_argument(
        "--shots",
        help='only these shots of the video, e.g. 3 or "1-2, 5" (numbered as `paintflow shots` prints them; the '
        "quickest try of a look on edited footage; the video is then taken whole)",
    )


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="paintflow",
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawTextHelpFormatter,
    )
    ap.add_argument("--version", action="version", version=f"paintflow {__version__}")
    ap.add_argument("--debug", action="store_true", help="show the Python traceback of an unexpected error")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    n = sub.add_parser("new", help="a render folder for your own video: a config.yaml with comments, to edit")
    _new_options(n)
    n.add_argument("video", type=Path, help="the video (any file ffmpeg reads, or a folder of numbered pictures)")
    n.add_argument("--folder", type=Path, help="where (default: ./<video>_<painting or look>)")
    rn = sub.add_parser("render", help="render: a render folder, a config, or a video (then --style PAINTING)")
    rn.add_argument(
        "target",
        nargs="?",
        type=Path,
        default=Path("."),
        help="a render folder (its config.yaml), a config file, or a video (made a render folder first: see new)",
    )
    _new_options(rn)
    _profile(rn)
    p = sub.add_parser("plan", help="what the render still costs: job time, CPU/GPU hours, wall clock, disk")
    _common(p)
    p.add_argument("--cores", type=int, default=os.cpu_count() or 1, help="CPU cores of this machine (default: all)")
    p.add_argument("--gpus", type=int, default=None, help="GPUs of this machine (default: those it has)")
    p.add_argument(
        "--calibrate-frames",
        type=int,
        default=3,
        help="frames rendered to calibrate a stage that was never measured (default: 3)",
    )
    p.add_argument(
        "--recalibrate",
        action="store_true",
        help="render the first frames again to measure (default: this machine's earlier calibration, if any)",
    )
    p.add_argument("--brief", action="store_true", help="one sentence: time, disk, frames (the studio's estimate)")
    p.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    s = sub.add_parser("status", help="frames done per stage, frames per hour, ETA")
    _common(s)
    s.add_argument("--watch", type=float, default=0, metavar="SECONDS", help="refresh every SECONDS until done")
    sh = sub.add_parser("shots", help="each video's shots and a contact sheet of their first and last frames")
    _common(sh)
    sh.add_argument("--video", action="append", help="only this video (repeatable; default: every video)")
    for command in _look_commands().values():
        cp = sub.add_parser(command.name, help=command.help)
        _common(cp)
        command.arguments(cp)
    pv = sub.add_parser("preview", help="one frame of a render's look in seconds, without the workflow")
    _common(pv)
    pv.add_argument("--render", help="which render (default: the first in the config)")
    pv.add_argument(
        "--frame", type=int, action="append", metavar="T", help="frame number, repeatable (default: the middle frame)"
    )
    pv.add_argument("--out", type=Path, default=None, help="folder for the PNGs (default: <results>/previews)")
    pv.add_argument("--full", action="store_true", help="all the configured iterations (painted look; slower)")
    pv.add_argument("--sheet", action="store_true", help="every built-in fast style on the frame, as one sheet")
    v = sub.add_parser("verify", help="decode every finished artefact; say what the next run makes again")
    _common(v)
    v.add_argument("--dry-run", action="store_true", help="only report; leave damaged files where they are")
    v.add_argument("--quality", action="store_true", help="also list each render's quality figures and flagged frames")
    v.add_argument("--json", type=Path, help="with --quality: also write the quality figures to this JSON file")
    r = sub.add_parser("resume", help="continue a render that died (refuses while another run is alive here)")
    _common(r)
    _profile(r)
    rd = sub.add_parser("redo", help="make frames of a render again (and what depends on them), then run")
    _common(rd)
    rd.add_argument("render", help="which render")
    rd.add_argument("--frames", required=True, help="frames to make again: 118,430-432")
    rd.add_argument("--dry-run", action="store_true", help="say what would be made again; change nothing")
    _profile(rd)
    c = sub.add_parser("clean", help="remove temporary files of killed runs and unused frame-store entries")
    _common(c)
    c.add_argument("--store", action="store_true", help="also empty the frame store (disk back; no resume cache)")
    st = sub.add_parser("studio", help="the studio: a web page to make, watch and get renders")
    st.add_argument(
        "--project",
        type=Path,
        default=Path("."),
        help="folder for uploads, renders and the studio's database (default: here)",
    )
    st.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only; another address needs --set-password first)",
    )
    st.add_argument("--port", type=int, default=8765, help="port (default: 8765)")
    st.add_argument("--slots", type=int, default=1, help="renders running at once (one per GPU; default: 1)")
    st.add_argument(
        "--set-password",
        action="store_true",
        help="set the login password (asked, or $PAINTFLOW_STUDIO_PASSWORD) and exit",
    )
    return ap


def _configfile(args) -> Path:
    if not args.directory.is_dir():
        raise PaintflowError(f"--directory: no such directory: {args.directory}")
    path = args.configfile or args.directory / "config.yaml"
    if not Path(path).is_file():
        raise PaintflowError(f"config file not found: {path} (give --configfile, or --directory of a render)")
    return Path(path)


def _dag(args):
    from .cost import load

    return load(args.directory, _configfile(args))


def snakemake_cmd(args, *more) -> list[str]:
    from .cost import snakemake_cmd as command

    return command(args.directory, _configfile(args), *more)


def _new(args, video: Path, folder: Path | None) -> Path:
    from .render_folder import new_folder

    made = new_folder(video, args.style, args.look, folder, args.width, args.seconds or None, args.shots)
    print(f"paintflow: made {made / 'config.yaml'}", flush=True)
    return made


def render(args) -> int:
    """``paintflow render``: what the target is (a folder, a config, a video), then the workflow until done."""
    from .runs import refuse_if_alive

    target = args.target.resolve()
    if target.is_file() and target.suffix.lower() in (".yaml", ".yml"):
        args.directory, args.configfile = target.parent, target
    elif target.is_dir() and (target / "config.yaml").is_file():
        args.directory, args.configfile = target, target / "config.yaml"
    elif target.exists() and not target.is_dir() or target.is_dir() and any(target.glob("*.png")):
        from .render_folder import default_folder

        made = default_folder(target, args.style, args.look)
        if (made / "config.yaml").is_file():  # rendered before: go on with it (its config may have been edited)
            print(f"paintflow: {made / 'config.yaml'} exists: rendering it", flush=True)
            args.directory = made.resolve()
        else:
            args.directory = _new(args, target, None).resolve()
        args.configfile = args.directory / "config.yaml"
    else:
        raise PaintflowError(
            f"nothing to render at {target}: give a render folder (one with a config.yaml), a config file, "
            "or a video (with --style PAINTING)"
        )
    config, dag = _dag(args)
    refuse_if_alive(config["results"], "render")
    code = _run_workflow(args, dag)
    for name in dag.renders:
        made = Path(dag.render_video(name)) if not dag.look(name).sheet else Path(dag.sheet_path(name))
        if made.exists():
            print(f"paintflow: {name}: {made}")
    return code


def run(args) -> int:
    if args.command == "new":
        _new(args, args.video, args.folder)
    elif args.command == "render":
        return render(args)
    elif args.command == "plan":
        import json

        from .cost import format_plan, make_plan
        from .devices import gpu_count

        gpus = gpu_count() if args.gpus is None else args.gpus
        result = make_plan(args.directory, _configfile(args), args.cores, gpus, args.calibrate_frames, args.recalibrate)
        if args.brief:
            from .cost import format_brief

            print(format_brief(result, _dag(args)[1]))
        else:
            print(format_plan(result))
        if args.json:
            data = {k: v for k, v in result.items() if k != "table"}
            data["stages"] = result["table"].to_dict(orient="records")
            args.json.write_text(json.dumps(data, indent=2, default=str))
    elif args.command == "status":
        from .progress import format_progress, render_progress
        from .timeline import progress_lines

        _, dag = _dag(args)
        while True:
            rows = render_progress(dag)
            print("\n".join([format_progress(rows), *progress_lines(dag)]), flush=True)
            if not args.watch or all(r["done"] >= r["total"] for r in rows):
                break
            time.sleep(args.watch)
    elif args.command == "shots":
        from .shots import contact_sheet, format_shots

        config, dag = _dag(args)
        for name in args.video or [n for n, v in dag.videos.items() if not v.part]:
            if name not in dag.videos:
                raise PaintflowError(f"--video: no video {name!r} in the config (known: {', '.join(dag.videos)})")
            v = dag.videos[name]
            print(format_shots(name, v.info, v.shots))
            sheet = contact_sheet(v.path, v.info, v.shots, Path(config["results"]) / "videos" / name / "shots.png")
            print(f"  contact sheet: {sheet}\n")
    elif args.command in _look_commands():
        from .config import absolute_paths, load

        _look_commands()[args.command].run(args, absolute_paths(load(_configfile(args)), args.directory))
    elif args.command == "preview":
        from .preview import preview, style_sheet

        config, dag = _dag(args)
        out = args.out or Path(config["results"]) / "previews"
        if args.sheet:
            print(f"style sheet: {style_sheet(dag, args.render, (args.frame or [None])[0], out)}")
        else:
            for path, seconds in preview(dag, args.render, args.frame, out, quick=not args.full):
                print(f"preview: {path} ({seconds:.1f} s)")
    elif args.command == "verify":
        from .runs import refuse_if_alive
        from .verify import format_report, verify

        config, dag = _dag(args)
        if not args.dry_run:
            refuse_if_alive(config["results"], "move damaged files while it writes")
        result = verify(dag, fix=not args.dry_run)
        print(format_report(result, fix=not args.dry_run))
        if args.quality:
            from .verify import format_quality, quality

            figures = quality(dag)
            print(format_quality(figures))
            if args.json:
                import json

                args.json.write_text(json.dumps(figures, indent=2))
        return 3 if result["damaged"] and args.dry_run else 0
    elif args.command == "resume":
        from .runs import refuse_if_alive

        config, dag = _dag(args)
        refuse_if_alive(config["results"], "resume")
        return _run_workflow(args, dag)
    elif args.command == "redo":
        from .redo import format_plan, mark, plan
        from .runs import refuse_if_alive

        config, dag = _dag(args)
        p = plan(dag, args.render, args.frames)
        print(format_plan(p, args.dry_run), flush=True)
        if args.dry_run:
            return 0
        refuse_if_alive(config["results"], "redo frames")
        print(f"the old files are kept in {mark(dag, p)}", flush=True)
        return _run_workflow(args, dag)
    elif args.command == "studio":
        from .studio import server

        if not args.project.is_dir():
            raise PaintflowError(f"--project: no such folder: {args.project}")
        if args.set_password:
            import getpass

            password = os.environ.get("PAINTFLOW_STUDIO_PASSWORD") or getpass.getpass("studio password: ")
            server.set_password(args.project, password)
            print("password set: log in as 'studio'")
            return 0
        os.environ["PAINTFLOW_STUDIO_SLOTS"] = str(args.slots)
        server.serve(args.project, args.host, args.port)
    elif args.command == "clean":
        import shutil

        from .runs import refuse_if_alive
        from .store import prune, prune_shots, remove_leftovers, shots_root, store_root

        config, dag = _dag(args)
        refuse_if_alive(config["results"], "clean")
        removed = remove_leftovers(config["results"])
        if args.store:
            shutil.rmtree(store_root(config["results"]), ignore_errors=True)
            shutil.rmtree(shots_root(config["results"]), ignore_errors=True)
            dropped = ["the whole frame store"]
        else:
            dropped = prune(config["results"], dag.current_keys(), dag.current_shot_tags())
            dropped += prune_shots(config["results"], dag.current_local_keys())
        print(f"removed {len(removed)} temporary file(s) and {len(dropped)} frame-store folder(s)")
    return 0


def _run_workflow(args, dag) -> int:
    """Run the workflow until every final output exists (``paintflow render``, ``resume`` and ``redo``)."""
    what = ", ".join(
        [f"{name} ({r.frames} frames, {dag.look(name).name})" for name, r in dag.renders.items()]
        + [f"timeline {name} ({tl.frames} frames)" for name, tl in dag.timelines.items()]
    )
    print(f"paintflow: rendering {what}; Snakemake is reading the workflow …", flush=True)
    from .cost import snakemake_env

    env = snakemake_env(args.profile)
    subprocess.run(snakemake_cmd(args, "--unlock"), capture_output=True, text=True, env=env)
    for _attempt in range(3):
        cmd = snakemake_cmd(args, "--profile", args.profile, *args.snakemake_args)
        code = subprocess.run(cmd, env=env).returncode
        missing = [p for p in dag.all_outputs() if not Path(p).exists()]
        if code != 0 or not missing or "-n" in args.snakemake_args or "--dry-run" in args.snakemake_args:
            return code
        # right after a kill, Snakemake has been seen to plan only the killed job: run again
        print(
            f"paintflow: the run ended with {len(missing)} final output(s) still missing; running again",
            file=sys.stderr,
        )
    return code


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    cut = argv.index("--") if "--" in argv else len(argv)
    argv, extra = argv[:cut], argv[cut + 1 :]  # after --: Snakemake's own arguments
    args = parser().parse_args(argv)
    if extra and not hasattr(args, "snakemake_args"):
        parser().error(f"{args.command} takes no Snakemake arguments (after --)")
    if hasattr(args, "snakemake_args"):
        args.snakemake_args = [*args.snakemake_args, *extra]
    try:
        return run(args)
    except PaintflowError as err:
        print(f"paintflow: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # a bug, not a user error: one line, the traceback on request
        if args.debug:
            raise
        print(
            f"paintflow: unexpected {type(err).__name__}: {err} (run with --debug for the traceback)", file=sys.stderr
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
