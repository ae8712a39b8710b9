# Keyed performers: per video, the screen's colour (chroma key) and a soft matte per frame (stabilised
# with the flow); per keyed render, the frames filled for the look (the screen, or the performer,
# replaced by its blurred surroundings) and the composite of the painted part over its background.


for _v in PF.owners("key_color"):

    rule:
        name:
            f"key_color_{_v}"
        input:
            id=id_file("key_color", _v),
            frames=frames_of("frames", _v, range(1, min(PF.videos[_v].frames, 5) + 1)),
        output:
            key=PF.key_color_path(_v),
        log:
            PF.job_log("key_color", _v),
        benchmark:
            PF.job_benchmark("key_color", _v)
        conda:
            "../envs/flow.yaml"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        params:
            identity=identity("key_color", _v),
            owner=_v,
        message:
            f"key colour · {_v}"
        script:
            "../workflow_scripts/key_color.py"


for _j in PF.chunk_jobs("mattes"):
    _m = PF.videos[_j.owner].settings["matte"]
    _stable = PF.matte_stabilised(_j.owner)
    _tt = [t for t in _j.frames if PF.follows("mattes", _j.owner, t)] if _stable else []

    rule:
        name:
            _j.rule
        input:
            id=id_file("mattes", _j.owner),
            frames=frames_of("frames", _j.owner, _j.frames),
            key=[ancient(PF.key_color_path(_j.owner))] if _m["method"] == "chroma" else [],
            video=[ancient(str(PF.videos[_j.owner].file))] if _m["method"] == "alpha" else [],
            prev=frames_of("mattes", _j.owner, [_j.frames.start - 1] if _j.frames.start in _tt else []),
            flows=frames_of("flow", _j.owner, [t - 1 for t in _tt], "bwd"),
            masks=frames_of("masks", _j.owner, _tt),
        output:
            mattes=PF.paths("mattes", _j.owner, _j.frames),
        log:
            _j.log,
        benchmark:
            _j.benchmark
        conda:
            "../envs/person.yaml" if _m["method"] == "person" else "../envs/flow.yaml"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=60,
        params:
            **(PF.chain_params("mattes", _j.owner, _j.frames) if _stable else {}),
            identity=identity("mattes", _j.owner),
            owner=_j.owner,
        message:
            _j.message
        script:
            "../workflow_scripts/mattes.py"


for _j in PF.chunk_jobs("fill"):
    _r = PF.renders[_j.owner]

    rule:
        name:
            _j.rule
        input:
            id=id_file("fill", _r.name),
            frames=frames_of("frames", _r.video, _j.frames),
            mattes=frames_of("mattes", _r.video, _j.frames),
            key=[ancient(PF.key_color_path(_r.video))] if PF.has_key_color(_r.video) else [],
        output:
            frames=PF.paths("fill", _r.name, _j.frames),
        log:
            _j.log,
        benchmark:
            _j.benchmark
        conda:
            "../envs/flow.yaml"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=60,
        params:
            identity=identity("fill", _r.name),
            owner=_r.name,
        message:
            _j.message
        script:
            "../workflow_scripts/fill.py"


for _j in PF.chunk_jobs("composite"):
    _r = PF.renders[_j.owner]

    rule:
        name:
            _j.rule
        input:
            id=id_file("composite", _r.name),
            look=frames_of(PF.stage_before("composite", _r.name), _r.name, _j.frames),
            frames=frames_of("frames", _r.video, _j.frames),
            mattes=frames_of("mattes", _r.video, _j.frames),
            key=[ancient(PF.key_color_path(_r.video))] if PF.has_key_color(_r.video) else [],
            background=background_inputs(_r.name, _j.frames),
        output:
            frames=PF.paths("composite", _r.name, _j.frames),
        log:
            _j.log,
        benchmark:
            _j.benchmark
        conda:
            "../envs/flow.yaml"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=60,
        params:
            identity=identity("composite", _r.name),
            owner=_r.name,
        message:
            _j.message
        script:
            "../workflow_scripts/composite.py"
