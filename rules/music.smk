# The music look: the song's frames clustered by their sound and a spring particle walking between
# styles (one job per render: the trajectory table, the reusable cluster model and a chart for the
# report), then every frame painted at its point of the walk, chunked like every per-frame look.
from paintflow.looks import latent as latent_look
from paintflow.looks import music as music_look


for _r in PF.owners("music_trajectory"):
    _s = PF.renders[_r].settings

    rule:
        name:
            f"music_trajectory_{_r}"
        input:
            id=id_file("music_trajectory", _r),
            song=ancient(PF.song(_r)[0]),
            paintings=[ancient(p) for p in _s["paintings"]] if _s["space"] != "styles" else [],
            model=[ancient(_s["model"])] if _s["model"] else [],
        output:
            table=music_look.paths(PF, _r)["table"],
            model=music_look.paths(PF, _r)["model"],
            chart=report(
                music_look.paths(PF, _r)["chart"],
                caption="../report/music.rst",
                category=_r,
                subcategory="music",
                labels={"render": _r, "result": "trajectory"},
            ),
        log:
            PF.job_log("music_trajectory", _r),
        benchmark:
            PF.job_benchmark("music_trajectory", _r)
        conda:
            "../envs/music.yaml"
        threads: 1
        resources:
            mem_mb=4000,
            runtime=30,
        params:
            identity=identity("music_trajectory", _r),
            owner=_r,
        message:
            f"music trajectory · {_r}"
        script:
            "../workflow_scripts/music_trajectory.py"


for _j in PF.chunk_jobs("music"):
    _r = PF.renders[_j.owner]

    rule:
        name:
            _j.rule
        input:
            **smoothing_inputs("music", _r.name, _j.frames),
            id=id_file("music", _r.name),
            table=ancient(music_look.paths(PF, _r.name)["table"]),
            content=look_input(_r.name, _j.frames) if _r.video else [],
            image=still_inputs(_r.name, "image"),
            paintings=[ancient(p) for p in _r.settings["paintings"]] if _r.settings["space"] != "styles" else [],
            latent_model=(
                [ancient(latent_look.paths(PF, _r.settings["latent_render"])["model"])]
                if _r.settings["space"] == "latent"
                else []
            ),
        output:
            frames=PF.paths("music", _r.name, _j.frames),
        log:
            _j.log,
        benchmark:
            _j.benchmark
        conda:
            "../envs/music.yaml"
        threads: threads(2)
        resources:
            gpu=GPUS,
            mem_mb=2000,
            runtime=60,
        params:
            **smoothing_params("music", _r.name, _j.frames),
            identity=identity("music", _r.name),
            owner=_r.name,
        message:
            _j.message
        script:
            "../workflow_scripts/music.py"
