# Each timeline (paintflow/timeline.py; its frames: conform.py; for the editor: editor_files.py): the master
# of a video conformed from the renders of its parts — every frame from the render that covers it, the
# footage as filmed elsewhere — in every format it asks
# for, with the video's sound and timecode; and the same cut for the editor (.otio, FCP 7 .xml, CMX .edl),
# its clips pointing at each render's own video. A part re-rendered re-makes its frames' files, which
# re-conforms the master (their dates are the trigger); the plan is the params (a change re-runs it).


def timeline_finals(name):
    """{render: its final frames, in the order they play} of the renders a timeline takes (a zoom-out:
    backwards)."""
    out = {}
    for r in PF.timelines[name].renders:
        frames = [PF.path(PF.final_stage(r), r, t) for t in range(1, PF.renders[r].frames + 1)]
        out[r] = frames[::-1] if PF.encoding(r)["reverse"] else frames
    return out


for _t, _tl in PF.timelines.items():
    _plan = _tl.plan()
    for _d in PF.timeline_deliveries(_t):

        rule:
            name:
                (
                    f"timeline_{_t}"
                    if _d.main
                    else (
                        f"timeline_{_t}__{_d.format}"
                        if _d.layer == "composite"
                        else f"timeline_{_t}__{_d.layer}_{_d.format}"
                    )
                )
            input:
                **timeline_finals(_t),
                **{f"{_r}__{_k}": _f for _r in _tl.keyed for _k, _f in layer_inputs(_r, _d.layer).items()},
                source=ancient(str(PF.videos[_tl.video].file)),
            output:
                **(
                    {
                        "parts": report(
                            PF.timeline_picture(_t),
                            caption="../report/timeline_parts.rst",
                            category=f"timeline {_t}",
                            labels={"timeline": _t, "result": "parts"},
                        )
                    }
                    if _d.main
                    else {}
                ),
                video=(
                    report(
                        _d.path,
                        caption="../report/timeline.rst",
                        category=f"timeline {_t}",
                        labels={"timeline": _t, "result": "master"},
                    )
                    if _d.main
                    else directory(_d.path) if _d.fmt.sequence else _d.path
                ),
            log:
                f"{R}/logs/timeline/{_t}/{Path(_d.path).name.replace('.', '_')}.log",
            benchmark:
                f"{R}/benchmarks/timeline/{_t}/{Path(_d.path).name.replace('.', '_')}.tsv"
            conda:
                "../envs/video.yaml"
            threads: 1
            resources:
                mem_mb=2000,
                runtime=120,
            params:
                plan=_plan,
                renders=_tl.renders,
                looks={r: PF.renders[r].look for r in _tl.renders},
                info=PF.videos[_tl.video].info,
                format=_d.format,
                layer=_d.layer,
                keyed=_tl.keyed,
            message:
                f"conform · {_t} · {_tl.frames} frames of {_tl.video} from {len(_tl.renders)} render(s) in "
                f"{_d.format}{'' if _d.layer == 'composite' else f', {_d.layer} layer'}"
            script:
                "../workflow_scripts/conform.py"

    rule:
        name:
            f"timeline_{_t}_editor"
        input:
            media=[PF.render_video(r) for r in _tl.renders],
        output:
            PF.editor_files(_t),
        log:
            f"{R}/logs/timeline/{_t}/editor.log",
        localrule: True
        conda:
            "../envs/video.yaml"
        params:
            plan=_plan,
            media={
                r: [PF.render_video(r), PF.renders[r].delivery["timecode"], PF.renders[r].frames] for r in _tl.renders
            },
            source=str(PF.videos[_tl.video].path),
        message:
            f"editor · {_t} · {len(_tl.parts)} clip(s) as .otio, .xml, .edl"
        script:
            "../workflow_scripts/timeline_editor.py"
