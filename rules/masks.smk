# Consistency mask of frame t (t ≥ 2): where warping frame t−1 onto t is reliable.


rule mask:
    input:
        unpack(mask_inputs),
    output:
        mask=str(RESULTS / "videos" / "{video}" / "masks" / "{t}.png"),
    params:
        settings=config["masks"],
    log:
        "logs/masks/{video}/{t}.log",
    benchmark:
        "benchmarks/masks/{video}/{t}.tsv"
    conda:
        "../envs/flow.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    script:
        "../workflow_scripts/mask.py"
