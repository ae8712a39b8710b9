# Sequential stylization: frame t starts from stylized frame t−1 warped by the
# backward flow, with a temporal loss on the pixels the mask marks reliable.


rule stylize:
    input:
        unpack(stylize_inputs),
    output:
        frame=str(RESULTS / "renders" / "{render}" / "stylized" / "{t}.png"),
    params:
        settings=render_settings,
        pooling=config["model"]["pooling"],
    log:
        "logs/stylize/{render}/{t}.log",
    benchmark:
        "benchmarks/stylize/{render}/{t}.tsv"
    conda:
        "../envs/stylize.yaml"
    threads: 4
    resources:
        mem_mb=8000,
    script:
        "../workflow_scripts/stylize.py"
