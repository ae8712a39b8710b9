"""Rule music_trajectory_<render>: the song's frames clustered, the particle's walk, the chart."""

from paintflow.looks.music import walk_settings
from paintflow.looks.music.walk import make_trajectory
from paintflow.smk import render_of, setup_log

log = setup_log(snakemake)
owner = snakemake.params.owner
r = render_of(snakemake, owner)
out = snakemake.output
summary = make_trajectory(
    r.sheet["song"],
    r.frames,
    r.fps,
    walk_settings(r),
    {"table": out.table, "model": out.model, "chart": out.chart},
    f"{owner}: the walk through style space",
)
log.info("music trajectory of %s: %s", owner, summary)
