# Consistency masks: mask t is the reliability of warping frame t−1 onto frame t, from the pair's
# backward and forward flow. A small picture of each flow (for the report and the studio) is drawn
# here too, while the (temporary) flow exists.


for _j in PF.chunk_jobs("masks"):

    rule:
        name:
            _j.rule
        input:
            id=id_file("masks", _j.owner),
            fwd=frames_of("flow", _j.owner, [t - 1 for t in _j.frames], "fwd"),
            bwd=frames_of("flow", _j.owner, [t - 1 for t in _j.frames], "bwd"),
        output:
            masks=PF.paths("masks", _j.owner, _j.frames),
            flowviz=[PF.flowviz_path(_j.owner, t) for t in _j.frames],
        log:
            _j.log,
        benchmark:
            _j.benchmark
        group:
            _j.group
        conda:
            "../envs/flow.yaml"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=60,
        params:
            **PF.local_params("masks", _j.owner, _j.frames),
            identity=identity("masks", _j.owner),
            owner=_j.owner,
        message:
            _j.message
        script:
            "../workflow_scripts/mask.py"


# Long-term masks: longmasks/<j>/<t> is the reliability of warping frame t−j onto frame t.
for _j in PF.chunk_jobs("longmasks"):
    _pairs = PF.long_pairs(_j.owner, _j.frames)  # (t, t+j) in one shot

    rule:
        name:
            _j.rule
        input:
            id=id_file("longmasks", _j.owner),
            fwd=[ancient(PF.path("longflow", _j.owner, t, f"fwd{j}")) for t, j in _pairs],
            bwd=[ancient(PF.path("longflow", _j.owner, t, f"bwd{j}")) for t, j in _pairs],
        output:
            masks=[PF.path("longmasks", _j.owner, t + j, str(j)) for t, j in _pairs],
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
            **PF.local_params("longmasks", _j.owner, _j.frames),
            identity=identity("longmasks", _j.owner),
            owner=_j.owner,
        message:
            _j.message
        script:
            "../workflow_scripts/longmasks.py"


# Reverse masks (multi-pass, backward passes): rmasks/<t> is the reliability of warping frame t+1 onto t.
for _j in PF.chunk_jobs("rmasks"):

    rule:
        name:
            _j.rule
        input:
            id=id_file("rmasks", _j.owner),
            fwd=frames_of("flow", _j.owner, _j.frames, "fwd"),
            bwd=frames_of("flow", _j.owner, _j.frames, "bwd"),
        output:
            masks=PF.paths("rmasks", _j.owner, _j.frames),
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
            **PF.local_params("rmasks", _j.owner, _j.frames),
            identity=identity("rmasks", _j.owner),
            owner=_j.owner,
        message:
            _j.message
        script:
            "../workflow_scripts/rmasks.py"
