# Sequential stylization: frame t starts from stylized frame t−1 warped by the
# backward flow, with a temporal loss on the pixels the mask marks reliable.
# One job per chunk: the model and style targets load once per chunk, and a
# killed chunk resumes at the frame where it died.

for _r in RENDERS.values():
    _temporal = is_temporal(_r.name)
    for _c, _ts in chunks(_r.video):
        _tt = [t for t in _ts if t > 1] if _temporal else []

        rule:
            name:
                f"stylize_{_r.name}_{_c:04d}"
            input:
                content=[frame_path(_r.video, t) for t in _ts],
                prev=[stylized_path(_r.name, _ts.start - 1)] if _temporal and _c > 0 else [],
                flows=[flow_path(_r.video, "bwd", t - 1) for t in _tt],
                masks=[mask_path(_r.video, t) for t in _tt],
                targets=style_targets_path(_r.name),
                model=vgg_model(),
            output:
                frames=[stylized_path(_r.name, t) for t in _ts],
            params:
                frames=list(_ts),
                temporal_frames=_tt,
                settings=_r.stylize,
                pooling=config["model"]["pooling"],
                resume=RESUME,
            log:
                log_path("stylize", _r.name, _c),
            benchmark:
                bench_path("stylize", _r.name, _c)
            conda:
                "../envs/stylize.yaml"
            threads: 4
            resources:
                gpu=GPUS,
                mem_mb=8000,
                runtime=240,
            script:
                "../workflow_scripts/stylize.py"
