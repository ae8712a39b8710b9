# Waifu2x upscaling of each render's look (2×, or 4× in two passes), per chunk.


for _j in PF.chunk_jobs("upscale"):
    _look = PF.look_stage(_j.owner)

    rule:
        name:
            _j.rule
        input:
            id=id_file("upscale", _j.owner),
            frames=frames_of(_look, _j.owner, _j.frames),
            model=ancient(PF.model_path("waifu2x_weights")),
        output:
            frames=PF.paths("upscale", _j.owner, _j.frames),
        log:
            _j.log,
        benchmark:
            _j.benchmark
        conda:
            "../envs/stylize.yaml"
        threads: threads(2)
        resources:
            gpu=GPUS,
            mem_mb=4000,
            runtime=120,
        params:
            **PF.local_params("upscale", _j.owner, _j.frames),
            identity=identity("upscale", _j.owner),
            owner=_j.owner,
        message:
            _j.message
        script:
            "../workflow_scripts/upscale.py"
