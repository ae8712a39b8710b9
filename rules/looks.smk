# Every look that paints frame by frame (a stage with a painter: fast, music, latent, a look of one's own
# from $PAINTFLOW_LOOKS): one rule per chunk, the same for all. Its inputs are the frames the look paints,
# what smoothing needs and the files the stage names (stage.inputs); the script hands the job's
# ChunkContext to the look's painter (paintflow/chunk.py).


for _s in [s for s in STAGES.values() if s.painter is not None]:
    for _j in PF.chunk_jobs(_s.name):
        _r = PF.renders[_j.owner]

        rule:
            name:
                _j.rule
            input:
                **smoothing_inputs(_s.name, _r.name, _j.frames),
                **{k: [ancient(p) for p in files] for k, files in (_s.inputs(PF, _r.name) if _s.inputs else {}).items()},
                id=id_file(_s.name, _r.name),
                content=look_input(_r.name, _j.frames) if _r.video else [],
            output:
                frames=PF.paths(_s.name, _r.name, _j.frames),
            log:
                _j.log,
            benchmark:
                _j.benchmark
            conda:
                f"../envs/{PF.look(_r.name).env}.yaml"
            threads: threads(2)
            resources:
                gpu=GPUS if _s.gpu else 0,
                mem_mb=2000,
                runtime=60,
            params:
                **smoothing_params(_s.name, _r.name, _j.frames),
                **PF.local_params(_s.name, _r.name, _j.frames),
                identity=identity(_s.name, _r.name),
                owner=_r.name,
            message:
                _j.message
            script:
                "../workflow_scripts/look_chunk.py"
