# Consistency masks: the chunk owning pair (t, t+1) writes the mask of frame
# t+1 (reliability of warping frame t onto t+1), so flow and mask chunks of the
# same index form one self-contained group.

for _v in VIDEOS.values():
    for _c, _ts in chunks(_v.name):
        _ps = pairs(_v.name, _ts)
        if not _ps:
            continue

        rule:
            name:
                f"masks_{_v.name}_{_c:04d}"
            input:
                fwd=[flow_path(_v.name, "fwd", t) for t in _ps],
                bwd=[flow_path(_v.name, "bwd", t) for t in _ps],
            output:
                masks=[mask_path(_v.name, t + 1) for t in _ps],
                # the report's flow pictures: drawn here, while the (temp) flow exists
                flowviz=[flowviz_path(_v.name, t + 1) for t in _ps if t + 1 in SAMPLES[_v.name]],
            params:
                settings=config["masks"],
                flowviz_frames=[t + 1 for t in _ps if t + 1 in SAMPLES[_v.name]],
                resume=RESUME,
            log:
                log_path("masks", _v.name, _c),
            benchmark:
                bench_path("masks", _v.name, _c)
            group:
                f"prep_{_v.name}_{_c:04d}"
            conda:
                "../envs/flow.yaml"
            threads: 1
            resources:
                mem_mb=1000,
                runtime=60,
            script:
                "../workflow_scripts/mask.py"
