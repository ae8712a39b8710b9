# The painted look. Style Gram targets once per render; then sequential stylization: frame t starts
# from the stylized frame t−1 warped by the backward flow, with a temporal loss on the pixels the
# mask marks reliable. One job per chunk: the model loads once per chunk, a killed chunk resumes at
# the frame where it died.


for _r in PF.owners("style_targets"):

    rule:
        name:
            f"style_targets_{_r}"
        input:
            id=id_file("style_targets", _r),
            model=ancient(PF.model_path("vgg_weights")),
            style=ancient(str(PF.renders[_r].style)),
        output:
            targets=PF.style_targets(_r),
        log:
            PF.job_log("style_targets", _r),
        benchmark:
            PF.job_benchmark("style_targets", _r)
        conda:
            "../envs/stylize.yaml"
        threads: threads(2)
        resources:
            gpu=GPUS,
            mem_mb=4000,
            runtime=10,
        params:
            identity=identity("style_targets", _r),
            owner=_r,
        message:
            f"style targets · {_r}"
        script:
            "../workflow_scripts/style_targets.py"


for _j in PF.chunk_jobs("stylize"):
    _r = PF.renders[_j.owner]
    _temporal = _r.settings["temporal"]
    _smooth = _r.smooth["method"]
    _tt = [t for t in _j.frames if t > 1] if _temporal or _smooth == "flow_blend" else []
    _prev = _j.frames.start > 1 and (_temporal or _smooth != "none")

    rule:
        name:
            _j.rule
        input:
            id=id_file("stylize", _r.name),
            content=look_input(_r.name, _j.frames),
            prev=frames_of("stylize", _r.name, [_j.frames.start - 1] if _prev else []),
            flows=frames_of("flow", _r.video, [t - 1 for t in _tt], "bwd"),
            masks=frames_of("masks", _r.video, _tt),
            targets=ancient(PF.style_targets(_r.name)),
            model=ancient(PF.model_path("vgg_weights")),
        output:
            frames=PF.paths("stylize", _r.name, _j.frames),
        log:
            _j.log,
        benchmark:
            _j.benchmark
        conda:
            "../envs/stylize.yaml"
        threads: threads(4)
        resources:
            gpu=GPUS,
            mem_mb=8000,
            runtime=240,
        params:
            identity=identity("stylize", _r.name),
            owner=_r.name,
        message:
            _j.message
        script:
            "../workflow_scripts/stylize.py"
