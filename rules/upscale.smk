# Waifu2x upscaling of each stylized frame (2×, or 4× in two passes), per chunk.


rule waifu2x_weights:
    output:
        model=waifu2x_model(),
    params:
        model=config["upscale"]["model"],
        noise=config["upscale"]["noise"],
        scale=config["upscale"]["scale"],
    log:
        "logs/model/waifu2x_weights.log",
    benchmark:
        "benchmarks/model/waifu2x_weights.tsv"
    conda:
        "../envs/stylize.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../workflow_scripts/waifu2x_weights.py"


if config["upscale"]["scale"] > 1:
    for _r in RENDERS.values():
        for _c, _ts in chunks(_r.video):

            rule:
                name:
                    f"upscale_{_r.name}_{_c:04d}"
                input:
                    frames=[stylized_path(_r.name, t) for t in _ts],
                    model=waifu2x_model(),
                output:
                    frames=[upscaled_path(_r.name, t) for t in _ts],
                params:
                    tile=config["upscale"]["tile"],
                    half=config["upscale"]["half"],
                    device=config["upscale"]["device"],
                    resume=RESUME,
                log:
                    log_path("upscale", _r.name, _c),
                benchmark:
                    bench_path("upscale", _r.name, _c)
                conda:
                    "../envs/stylize.yaml"
                threads: 2
                resources:
                    gpu=GPUS,
                    mem_mb=4000,
                    runtime=120,
                script:
                    "../workflow_scripts/upscale.py"
