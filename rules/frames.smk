# Decode each video once into a staging folder (keyed by what decides the frames' pixels, so a
# longer duration keeps the frames already decoded), then publish each chunk's frames as per-frame
# targets: hard links, no extra disk.


for _v in PF.owners("frames"):

    rule:
        name:
            f"extract_{_v}"
        input:
            id=id_file("extract", _v),
            video=ancient(str(PF.videos[_v].file)),
        output:
            info=PF.video_info(_v),
        log:
            PF.job_log("extract", _v),
        benchmark:
            PF.job_benchmark("extract", _v)
        conda:
            "../envs/video.yaml"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=60,
        params:
            identity=identity("extract", _v),
            owner=_v,
            info=PF.videos[_v].info,
            staging=PF.staging_dir(_v),
        message:
            f"decode · {_v} · {PF.videos[_v].frames} frames at {PF.videos[_v].info['width']}x{PF.videos[_v].info['height']}"
        script:
            "../workflow_scripts/extract_frames.py"


for _j in PF.chunk_jobs("frames"):

    rule:
        name:
            _j.rule
        input:
            id=id_file("frames", _j.owner),
            info=ancient(PF.video_info(_j.owner)),
        output:
            frames=PF.paths("frames", _j.owner, _j.frames),
        log:
            _j.log,
        benchmark:
            _j.benchmark
        localrule: True
        conda:
            "../envs/video.yaml"
        threads: 1
        resources:
            mem_mb=200,
            runtime=5,
        params:
            identity=identity("frames", _j.owner),
            owner=_j.owner,
            staging=PF.staging_dir(_j.owner),
        message:
            _j.message
        script:
            "../workflow_scripts/publish_frames.py"
