# Optical flow per frame pair: fwd/<t> is t→t+1, bwd/<t> is t+1→t. A chunk
# owns the pairs (t, t+1) with t in its frames (it also reads frame t+1).

for _v in VIDEOS.values():
    for _c, _ts in chunks(_v.name):
        _ps = pairs(_v.name, _ts)
        if not _ps:
            continue

        rule:
            name:
                f"flow_{_v.name}_{_c:04d}"
            input:
                frames=[frame_path(_v.name, t) for t in range(_ps.start, _ps.stop + 1)],
            output:
                fwd=[maybe_temp(flow_path(_v.name, "fwd", t)) for t in _ps],
                bwd=[maybe_temp(flow_path(_v.name, "bwd", t)) for t in _ps],
            params:
                method=config["flow"]["method"],
                pairs=list(_ps),
                resume=RESUME,
            log:
                log_path("flow", _v.name, _c),
            benchmark:
                bench_path("flow", _v.name, _c)
            group:
                f"prep_{_v.name}_{_c:04d}"
            conda:
                "../envs/flow.yaml"
            threads: 4
            resources:
                mem_mb=2000,
                runtime=120,
            script:
                "../workflow_scripts/flow.py"
