# Encode the stylized frames to H.264 at the render's fps, with the source audio.


rule encode:
    input:
        unpack(encode_inputs),
    output:
        video=f"{R}/renders/{{render}}/{{render}}.mp4",
    params:
        crf=config["encode"]["crf"],
        audio=config["encode"]["audio"],
    log:
        "logs/encode/{render}.log",
    benchmark:
        "benchmarks/encode/{render}.tsv"
    conda:
        "../envs/video.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=120,
    script:
        "../workflow_scripts/encode.py"
