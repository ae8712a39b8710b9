# DeepDream looks: a dreamed video (frame t starts from the previous dream warped onto it), an
# infinite zoom from a still (frame t = dream(zoom(frame t−1)), layers scheduled over time), and a
# layer sheet (one dreamed image per layer, to choose layers before a long render).


for _j in PF.chunk_jobs("dream"):
    _r = PF.renders[_j.owner]
    _tt = [t for t in _j.frames if PF.follows("dream", _r.name, t)] if _r.settings["temporal"] else []

    rule:
        name:
            _j.rule
        input:
            id=id_file("dream", _r.name),
            content=look_input(_r.name, _j.frames),
            prev=frames_of("dream", _r.name, [_j.frames.start - 1] if _j.frames.start in _tt else []),
            flows=frames_of("flow", _r.video, [t - 1 for t in _tt], "bwd"),
            masks=frames_of("masks", _r.video, _tt),
            model=ancient(PF.model_path("vgg_weights")),
            guide=still_inputs(_r.name, "guide"),
        output:
            frames=PF.paths("dream", _r.name, _j.frames),
        log:
            _j.log,
        benchmark:
            _j.benchmark
        conda:
            "../envs/stylize.yaml"
        threads: threads(4)
        resources:
            gpu=GPUS,
            mem_mb=4000,
            runtime=240,
        params:
            **(PF.chain_params("dream", _r.name, _j.frames) if _r.settings["temporal"] else {}),
            identity=identity("dream", _r.name),
            owner=_r.name,
        message:
            _j.message
        script:
            "../workflow_scripts/dream.py"


for _j in PF.chunk_jobs("zoom"):
    _r = PF.renders[_j.owner]

    rule:
        name:
            _j.rule
        input:
            id=id_file("zoom", _r.name),
            prev=frames_of("zoom", _r.name, [_j.frames.start - 1] if _j.frames.start > 1 else []),
            still=still_inputs(_r.name, "image", "video") if _j.frames.start == 1 else [],
            model=ancient(PF.model_path("vgg_weights")),
            guide=still_inputs(_r.name, "guide"),
        output:
            frames=PF.paths("zoom", _r.name, _j.frames),
        log:
            _j.log,
        benchmark:
            _j.benchmark
        conda:
            "../envs/stylize.yaml"
        threads: threads(4)
        resources:
            gpu=GPUS,
            mem_mb=4000,
            runtime=240,
        params:
            identity=identity("zoom", _r.name),
            owner=_r.name,
        message:
            _j.message
        script:
            "../workflow_scripts/zoom.py"


for _r in PF.owners("layer_sheet"):

    rule:
        name:
            f"layer_sheet_{_r}"
        input:
            id=id_file("layer_sheet", _r),
            still=still_inputs(_r, "image", "video"),
            model=ancient(PF.model_path("vgg_weights")),
            guide=still_inputs(_r, "guide"),
        output:
            sheet=report(
                PF.sheet_path(_r),
                caption="../report/layer_sheet.rst",
                category=_r,
                subcategory="layers",
                labels={"render": _r, "result": "layer sheet"},
            ),
            images=[f"{R}/renders/{_r}/layers/{layer}.png" for layer in PF.renders[_r].settings["layers"]],
        log:
            PF.job_log("layer_sheet", _r),
        benchmark:
            PF.job_benchmark("layer_sheet", _r)
        conda:
            "../envs/stylize.yaml"
        threads: threads(4)
        resources:
            gpu=GPUS,
            mem_mb=4000,
            runtime=240,
        params:
            identity=identity("layer_sheet", _r),
            owner=_r,
        message:
            f"layer sheet · {_r} · {len(PF.renders[_r].settings['layers'])} layers"
        script:
            "../workflow_scripts/layer_sheet.py"
