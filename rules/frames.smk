# Decode each video once into a staging folder, then publish each chunk's frames
# as per-frame targets (hard links: no extra disk). The frame count comes from a
# probe at parse time (cached in results/videos/<video>/probe.json).

for _v in VIDEOS.values():

    rule:
        name:
            f"extract_{_v.name}"
        input:
            video=_v.path,
        output:
            info=video_info(_v.name),
        params:
            info=_v.info,
            staging=staging_dir(_v.name),
        log:
            f"logs/frames/{_v.name}/extract.log",
        benchmark:
            f"benchmarks/frames/{_v.name}/extract.tsv"
        conda:
            "../envs/video.yaml"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=60,
        script:
            "../workflow_scripts/extract_frames.py"

    for _c, _ts in chunks(_v.name):

        rule:
            name:
                f"frames_{_v.name}_{_c:04d}"
            input:
                info=video_info(_v.name),
            output:
                frames=[frame_path(_v.name, t) for t in _ts],
            params:
                staging=staging_dir(_v.name),
            log:
                log_path("frames", _v.name, _c),
            benchmark:
                bench_path("frames", _v.name, _c)
            localrule: True
            conda:
                "../envs/video.yaml"
            threads: 1
            resources:
                mem_mb=200,
                runtime=5,
            script:
                "../workflow_scripts/publish_frames.py"
