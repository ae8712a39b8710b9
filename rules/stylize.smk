# The painted look. Style Gram targets once per render; then sequential stylization: frame t starts
# from the stylized frame t−1 warped by the backward flow, with a temporal loss on the pixels the
# mask marks reliable. One job per chunk: the model loads once per chunk, a killed chunk resumes at
# the frame where it died.


from paintflow.looks.paint.settings import StyleSettings

for _r in PF.owners("style_targets"):

    rule:
        name:
            f"style_targets_{_r}"
        input:
            id=id_file("style_targets", _r),
            model=ancient(PF.model_path("vgg_weights")),
            styles=[ancient(st["path"]) for st in PF.renders[_r].styles],
            first=(
                frames_of("frames", PF.renders[_r].video, [1])
                if PF.renders[_r].settings["preserve_color"] != "none"
                else []
            ),
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


# a segmented render: each segment's lead-in (rule lead_<render>_<first>) starts a fresh chain a few
# frames before the segment, whose first chunk continues from it
for _j in [*PF.chunk_jobs("stylize"), *PF.chunk_jobs("lead")]:
    _r = PF.renders[_j.owner]
    _temporal = _r.settings["temporal"]
    _smooth = _r.smooth["method"]
    _prev = PF.chain_prev(_j.stage, _r.name, _j.frames.start)
    _tt = [  # frames coupled to the frame before: not a shot's first, not a lead-in's first
        t for t in _j.frames if PF.follows(_j.stage, _r.name, t) and (_j.stage != "lead" or t > _j.frames.start)
    ]
    _tt = _tt if _temporal or reads_flow(_smooth) else []
    _both = _r.settings["segments"] > 1  # segment positions depend on the shot's length
    _before = (  # the source frame before the chunk, where a temporal frame reads it (warp_check, residual start)
        [_j.frames.start - 1]
        if StyleSettings.from_config(_r.settings).reads_previous_source and _j.frames.start in _tt
        else []
    )
    _long = [  # long-term terms: frame t−j of the same chain
        (t, j)
        for t in _j.frames
        for j in (_r.settings["long_term"] if _temporal else [])
        if j > 1 and t - j >= PF.chain_start(_j.stage, _r.name, t)
    ]

    rule:
        name:
            _j.rule
        input:
            id=id_file("stylize", _r.name),
            content=look_input(_r.name, [*_before, *_j.frames]),
            prev=frames_of(_prev[0], _r.name, [_prev[1]]) if _prev else [],
            flows=frames_of("flow", _r.video, [t - 1 for t in _tt], "bwd"),
            masks=frames_of("masks", _r.video, _tt),
            longprev=frames_of(_j.stage, _r.name, sorted({t - j for t, j in _long if t - j < _j.frames.start})),
            longflows=[ancient(PF.path("longflow", _r.video, t - j, f"bwd{j}")) for t, j in _long],
            longmasks=[ancient(PF.path("longmasks", _r.video, t, str(j))) for t, j in _long],
            targets=ancient(PF.style_targets(_r.name)),
            model=ancient(PF.model_path("vgg_weights")),
            style=([ancient(str(_r.style))] if "fast" in (_r.settings["init"], _r.settings["temporal_init"]) else []),
        output:
            frames=PF.paths(_j.stage, _r.name, _j.frames),
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
            **(PF.chain_params(_j.stage, _r.name, _j.frames, _both) if _temporal or _smooth != "none" or _both else {}),
            **PF.local_params(_j.stage, _r.name, _j.frames),
            identity=identity(_j.stage, _r.name),
            stage=_j.stage,
            owner=_r.name,
        message:
            _j.message
        script:
            "../workflow_scripts/stylize.py"


for _j in PF.chunk_jobs("seam"):
    _leads = [t for t in _j.frames if any(t in r for r in PF.lead_ranges(_j.owner))]

    rule:
        name:
            _j.rule
        input:
            id=id_file("seam", _j.owner),
            own=frames_of("stylize", _j.owner, _j.frames),
            leads=frames_of("lead", _j.owner, _leads),
        output:
            frames=PF.paths("seam", _j.owner, _j.frames),
        log:
            _j.log,
        benchmark:
            _j.benchmark
        conda:
            "../envs/flow.yaml"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=30,
        params:
            **PF.chain_params("seam", _j.owner, _j.frames, True),
            identity=identity("seam", _j.owner),
            owner=_j.owner,
        message:
            _j.message
        script:
            "../workflow_scripts/seam.py"


# Multi-pass: pass k (2…passes) over the render, backward for even k, forward for odd k; each pass's
# frames are their own targets, each pass a sequential chain in its direction.
for _k in range(2, 7):
    for _j in PF.chunk_jobs(f"pass{_k}"):
        _r = PF.renders[_j.owner]
        _back = _k % 2 == 0
        _shot = PF.shot_of(_j.stage, _r.name, _j.frames.start)  # a chunk never spans a cut
        _nbr = _j.frames.stop if _back else _j.frames.start - 1  # the chunk's neighbour, in its shot
        _nbr = _nbr if _nbr in _shot else 0
        _tt = [t for t in _j.frames if (t + 1 if _back else t - 1) in _shot]  # t's neighbour in its shot

        rule:
            name:
                _j.rule
            input:
                id=id_file(f"pass{_k}", _r.name),
                previous=frames_of("stylize" if _k == 2 else f"pass{_k - 1}", _r.name, _j.frames),
                content=look_input(_r.name, _j.frames),
                neighbour=frames_of(f"pass{_k}", _r.name, [_nbr] if _nbr else []),
                flows=frames_of("flow", _r.video, [t if _back else t - 1 for t in _tt], "fwd" if _back else "bwd"),
                masks=frames_of("rmasks" if _back else "masks", _r.video, _tt),
                targets=ancient(PF.style_targets(_r.name)),
                model=ancient(PF.model_path("vgg_weights")),
            output:
                frames=PF.paths(f"pass{_k}", _r.name, _j.frames),
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
                **PF.chain_params(_j.stage, _r.name, _j.frames, True),
                identity=identity(f"pass{_k}", _r.name),
                owner=_r.name,
                number=_k,
            message:
                _j.message
            script:
                "../workflow_scripts/stylize_pass.py"
