# Decode each video into numbered PNG frames. The frame count comes from a probe
# at parse time (cached in results/videos/<video>/probe.json), so the DAG is a
# fixed list of per-frame targets — no checkpoint needed, even for 16,000 frames.

for _video in VIDEOS.values():

    rule:
        name:
            f"frames_{_video.name}"
        input:
            video=_video.path,
        output:
            frames=[frame_path(_video.name, t) for t in range(1, _video.frames + 1)],
            info=video_info(_video.name),
        params:
            info=_video.info,
        log:
            f"logs/frames/{_video.name}.log",
        benchmark:
            f"benchmarks/frames/{_video.name}.tsv"
        conda:
            "../envs/video.yaml"
        threads: 1
        resources:
            mem_mb=1000,
        script:
            "../workflow_scripts/extract_frames.py"
