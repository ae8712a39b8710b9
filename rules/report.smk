# Pictures for `snakemake --report report.html`: sampled frames through every stage,
# a contact sheet, job time per stage, and the config used.


rule report_figures:
    input:
        unpack(report_inputs),
    output:
        samples=report(
            f"{R}/renders/{{render}}/report/stages.png",
            category="{render}",
            subcategory="pictures",
            caption="../report/stages.rst",
        ),
        sheet=report(
            f"{R}/renders/{{render}}/report/contact_sheet.png",
            category="{render}",
            subcategory="pictures",
            caption="../report/contact_sheet.rst",
        ),
        timing=report(
            f"{R}/renders/{{render}}/report/timing.png",
            category="{render}",
            subcategory="timing",
            caption="../report/timing.rst",
        ),
        config=report(
            f"{R}/renders/{{render}}/report/config.yaml",
            category="{render}",
            subcategory="config",
            caption="../report/config.rst",
        ),
    params:
        samples=report_samples,
        sheet_frames=sheet_frames,
        final_label=f"upscaled {config['upscale']['scale']}x" if config["upscale"]["scale"] > 1 else "final",
        workdir=os.getcwd(),
    log:
        "logs/report/{render}.log",
    benchmark:
        "benchmarks/report/{render}.tsv"
    conda:
        "../envs/stylize.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../workflow_scripts/report_figures.py"
