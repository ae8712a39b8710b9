# Pictures and figures of each render for `snakemake --report report.html`: sampled frames through
# every stage (columns from the registry), a contact sheet, job time per stage (from the benchmarks
# it declares), the config used, shown inline, and the quality section (its figures also in
# quality.json; the line printed on the terminal when the render ends).


rule report:
    input:
        unpack(report_inputs),
    output:
        samples=report_item("stages.png", "stages.rst", "pictures"),
        sheet=report_item("contact_sheet.png", "contact_sheet.rst", "pictures"),
        shots=report_item("shots.png", "shots.rst", "pictures"),
        timing=report_item("timing.png", "timing.rst", "timing"),
        config=report_item("config.html", "config.rst", "config"),
        deliveries=report_item("deliveries.html", "deliveries.rst", "video"),
        quality=report_item("quality.png", "quality.rst", "quality"),
        figures=f"{R}/renders/{{render}}/report/quality.json",
    log:
        f"{R}/logs/report/{{render}}/job.log",
    benchmark:
        f"{R}/benchmarks/report/{{render}}/job.tsv"
    conda:
        "../envs/stylize.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        identity=lambda wildcards: identity("report", wildcards.render),
        owner=lambda wildcards: wildcards.render,
    message:
        "report · {wildcards.render}"
    script:
        "../workflow_scripts/report_figures.py"
