"""A fix for a Snakemake 9 scheduling bug that silently leaves work undone (applied by rules/common.smk).

``DAG.update_needrun`` decides which jobs run in two passes. The first evaluates each job on its own
(missing outputs, changed params, …) but skips — "masks" — every job downstream of a job already found
to need a run, expecting the second pass to reach them: a breadth-first walk from the jobs that run to
their consumers. That walk does not enter a consumer whose inputs from the job are all ``ancient()`` and
exist. So a consumer that is downstream of a re-run job only through ancient inputs is never evaluated at
all, even when its own outputs are missing, and the run ends "successfully" with the final outputs
missing. paintflow marks per-frame inputs ancient (a neighbour re-made must not re-run a finished chunk),
so this happened after a kill (the killed job is re-run, everything after it was dropped) and after a
change of a video's frames (a render that was never made was not planned).

The fix turns the masking off while ``update_needrun`` runs: every job is then evaluated on its own in
the first pass (what Snakemake already does when nothing needs to run, the common case of a finished
render), and the second pass adds consumers exactly as before.
"""

from __future__ import annotations


def apply() -> None:
    from snakemake.dag import DAG

    if getattr(DAG.update_needrun, "paintflow_fix", False):
        return
    original = DAG.update_needrun

    async def update_needrun(self, create_inventory=False):
        # the first pass masks with self.bfs(self.depending, job); nothing else in it walks the DAG
        self.bfs = lambda direction, *jobs, stop=None: iter(())
        try:
            return await original(self, create_inventory)
        finally:
            del self.bfs

    update_needrun.paintflow_fix = True
    DAG.update_needrun = update_needrun
