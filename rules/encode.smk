# Each render's deliveries (paintflow/delivery.py): its final frames — and a keyed render's layers — in
# every format it asks for, at the source's exact frame rate with its timecode, colour tags and sound. The
# composite in H.264 is the render's own .mp4 (rule encode_<render>); each other delivery is its own job and
# target (encode_<render>__<layer>_<format>).


def layer_inputs(render, layer):
    """What a keyed render's performer or background layer is made from (every frame)."""
    if layer == "composite":
        return {}
    r, frames = PF.renders[render], range(1, PF.renders[render].frames + 1)
    return {
        "look": frames_of(PF.stage_before("composite", render), render, frames),
        "source": frames_of("frames", r.video, frames),
        "mattes": frames_of("mattes", r.video, frames),
        "key": [ancient(PF.key_color_path(r.video))] if PF.has_key_color(r.video) else [],
        "background": background_inputs(render, frames),
    }


for _r in PF.owners("encode"):
    for _d in PF.deliveries(_r):

        rule:
            name:
                PF.delivery_rule(_r, _d)
            input:
                **layer_inputs(_r, _d.layer),
                id=id_file("encode", _r),
                # ascending order keeps Snakemake's recursion shallow on long t−1 chains
                frames=frames_of(PF.final_stage(_r), _r, range(1, PF.renders[_r].frames + 1)),
                audio=[ancient(p) for p in PF.audio_files(_r)] if _d.layer == "composite" else [],
            output:
                video=(
                    report(
                        _d.path,
                        caption="../report/video.rst",
                        category=_r,
                        subcategory="video",
                        labels={"render": _r, "result": "video"},
                    )
                    if _d.main
                    else directory(_d.path) if _d.fmt.sequence else _d.path
                ),
            log:
                PF.delivery_log(_r, _d),
            benchmark:
                PF.delivery_log(_r, _d, "benchmarks")
            conda:
                "../envs/video.yaml"
            threads: 1
            resources:
                mem_mb=2000,
                runtime=120,
            params:
                identity=identity("encode", _r),
                owner=_r,
                layer=_d.layer,
                format=_d.format,
                quality=(
                    {_d.fmt.quality: PF.renders[_r].delivery["settings"][_d.fmt.quality]} if _d.fmt.quality else {}
                ),
            message:
                f"{'encode' if _d.main else 'deliver'} · {_r} · {_d.layer} in {_d.format} · "
                f"{PF.renders[_r].frames} frames at {PF.renders[_r].delivery['rate']} fps"
            script:
                "../workflow_scripts/encode.py"
