# Optical flow per frame pair: fwd/<t> is t→t+1, bwd/<t> is t+1→t.


rule flow:
    input:
        unpack(flow_inputs),
    output:
        flow=maybe_temp(
            str(RESULTS / "videos" / "{video}" / "flow" / "{direction}" / ("{t}." + FLOW_EXT))
        ),
    params:
        method=config["flow"]["method"],
    log:
        "logs/flow/{video}/{direction}_{t}.log",
    benchmark:
        "benchmarks/flow/{video}/{direction}_{t}.tsv"
    conda:
        "../envs/flow.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    script:
        "../workflow_scripts/flow.py"
