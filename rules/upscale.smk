# Waifu2x upscaling of each stylized frame (2×, or 4× in two passes).


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
    script:
        "../workflow_scripts/waifu2x_weights.py"


rule upscale:
    input:
        frame=str(RESULTS / "renders" / "{render}" / "stylized" / "{t}.png"),
        model=waifu2x_model(),
    output:
        frame=str(RESULTS / "renders" / "{render}" / "upscaled" / "{t}.png"),
    params:
        tile=config["upscale"]["tile"],
        half=config["upscale"]["half"],
        device=config["upscale"]["device"],
    log:
        "logs/upscale/{render}/{t}.log",
    benchmark:
        "benchmarks/upscale/{render}/{t}.tsv"
    conda:
        "../envs/stylize.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    script:
        "../workflow_scripts/upscale.py"
