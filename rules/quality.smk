# Quality control: each render's final frames measured against its source, one small record per frame
# (warping errors with the source's flow, long-term, the source's own floor; the content distance to
# the source frame; borders, frozen, black frames). Cheap next to any look; flags are read from the records (paintflow verify --quality, report).


from paintflow.quality import FRAMES_BACK

for _j in PF.chunk_jobs("quality"):
    _r = PF.renders[_j.owner]
    _shot = PF.shot_of("quality", _r.name, _j.frames.start)
    _read = range(max(_shot.start, _j.frames.start - FRAMES_BACK), _j.frames.stop)  # each frame and those before it
    _pairs = [t for t in _read if t - 1 in _read]  # backward flow t → t−1 and the mask of (t−1, t)
    _flow = PF.quality_flow(_r.name)

    rule:
        name:
            _j.rule
        input:
            id=id_file("quality", _r.name),
            frames=frames_of(PF.final_stage(_r.name), _r.name, _read),
            source=frames_of("frames", _r.video, _read),
            flows=frames_of("flow", _r.video, [t - 1 for t in _pairs], "bwd") if _flow else [],
            masks=frames_of("masks", _r.video, _pairs) if _flow else [],
            model=ancient(PF.model_path("vgg_weights")),
        output:
            records=PF.paths("quality", _r.name, _j.frames),
        log:
            _j.log,
        benchmark:
            _j.benchmark
        conda:
            "../envs/stylize.yaml"
        threads: 1
        resources:
            mem_mb=2000,
            runtime=30,
        params:
            identity=identity("quality", _r.name),
            owner=_r.name,
        message:
            _j.message
        script:
            "../workflow_scripts/quality.py"
