# The fast look: feed-forward styles (built-in, blended, or any painting), optionally smoothed over
# time with the previous output (blend) or the flow-warped previous output (flow_blend).


for _j in PF.chunk_jobs("fast"):
    _r = PF.renders[_j.owner]
    _style = _r.settings["style"]

    rule:
        name:
            _j.rule
        input:
            **smoothing_inputs("fast", _r.name, _j.frames),
            id=id_file("fast", _r.name),
            content=look_input(_r.name, _j.frames),
            style=[ancient(_style)] if isinstance(_style, str) else [],
        output:
            frames=PF.paths("fast", _r.name, _j.frames),
        log:
            _j.log,
        benchmark:
            _j.benchmark
        conda:
            "../envs/fast.yaml"
        threads: threads(2)
        resources:
            gpu=GPUS,
            mem_mb=2000,
            runtime=60,
        params:
            **smoothing_params("fast", _r.name, _j.frames),
            identity=identity("fast", _r.name),
            owner=_r.name,
        message:
            _j.message
        script:
            "../workflow_scripts/fast.py"
