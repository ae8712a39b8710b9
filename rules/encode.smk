# Encode each render's final frames to H.264 at its frame rate, with its audio.


for _r in PF.owners("encode"):

    rule:
        name:
            f"encode_{_r}"
        input:
            id=id_file("encode", _r),
            # ascending order keeps Snakemake's recursion shallow on long t−1 chains
            frames=frames_of(PF.final_stage(_r), _r, range(1, PF.renders[_r].frames + 1)),
            audio=[ancient(p) for p in PF.audio_files(_r)],
        output:
            video=report(
                PF.render_video(_r),
                caption="../report/video.rst",
                category=_r,
                subcategory="video",
                labels={"render": _r, "result": "video"},
            ),
        log:
            PF.job_log("encode", _r),
        benchmark:
            PF.job_benchmark("encode", _r)
        conda:
            "../envs/video.yaml"
        threads: 1
        resources:
            mem_mb=2000,
            runtime=120,
        params:
            identity=identity("encode", _r),
            owner=_r,
        message:
            f"encode · {_r} · {PF.renders[_r].frames} frames at {PF.renders[_r].fps:g} fps"
        script:
            "../workflow_scripts/encode.py"
