# The music look: the song's frames clustered by their sound and a spring particle walking between
# styles (one job per render: the trajectory table, the reusable cluster model and a chart for the
# report); every frame is then painted at its point of the walk by the generic per-frame rule
# (rules/looks.smk, with paintflow/looks/music's painter).
from paintflow.looks import music as music_look

for _r in PF.owners("music_trajectory"):
    _s = music_look.walk_settings(PF.renders[_r])

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
