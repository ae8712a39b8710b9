# Optical flow per frame pair: fwd/<t> is t→t+1, bwd/<t> is t+1→t. A chunk owns the pairs (t, t+1)
# with t in its frames (it also reads frame t+1); flow and mask chunks of the same frames form one
# cluster job (group prep_<video>_<chunk>).


for _j in PF.chunk_jobs("flow"):

    rule:
        name:
            _j.rule
        input:
            id=id_file("flow", _j.owner),
            frames=frames_of("frames", _j.owner, range(_j.frames.start, _j.frames.stop + 1)),
        output:
            fwd=[flow_output("flow", _j.owner, t, "fwd") for t in _j.frames],
            bwd=[flow_output("flow", _j.owner, t, "bwd") for t in _j.frames],
        log:
            _j.log,
        benchmark:
            _j.benchmark
        group:
            _j.group
        conda:
            "../envs/flow.yaml"
        threads: threads(4)
        resources:
            mem_mb=2000,
            runtime=120,
        params:
            **PF.local_params("flow", _j.owner, _j.frames),
            identity=identity("flow", _j.owner),
            owner=_j.owner,
        message:
            _j.message
        script:
            "../workflow_scripts/flow.py"


# Long-term flow (painted renders with long_term: [1, 2, 4] …): the pairs (t, t+j) for each offset j > 1,
# fwd<j>/<t> is t→t+j and bwd<j>/<t> is t+j→t, computed directly between the two frames.
for _j in PF.chunk_jobs("longflow"):
    _pairs = PF.long_pairs(_j.owner, _j.frames)  # (t, t+j) in one shot

    rule:
        name:
            _j.rule
        input:
            id=id_file("longflow", _j.owner),
            frames=frames_of("frames", _j.owner, sorted({x for t, j in _pairs for x in (t, t + j)})),
        output:
            fwd=[flow_output("longflow", _j.owner, t, f"fwd{j}") for t, j in _pairs],
            bwd=[flow_output("longflow", _j.owner, t, f"bwd{j}") for t, j in _pairs],
        log:
            _j.log,
        benchmark:
            _j.benchmark
        conda:
            "../envs/flow.yaml"
        threads: threads(4)
        resources:
            mem_mb=2000,
            runtime=120,
        params:
            **PF.local_params("longflow", _j.owner, _j.frames),
            identity=identity("longflow", _j.owner),
            owner=_j.owner,
        message:
            _j.message
        script:
            "../workflow_scripts/longflow.py"
