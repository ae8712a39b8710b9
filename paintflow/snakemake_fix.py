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

The second pass also re-runs every consumer of a job that re-makes a temporary file, even where the
consumer reads it ``ancient()`` and its own outputs are done: Snakemake skips such a consumer only when
the file exists, and a temporary file was deleted after its first use. So a painted chunk made again (a
damaged frame, a new style) re-made its flows and, through them, every set of consistency masks and
quality records that had read them; and a clip made longer re-made every flow of the old frames. Here a
consumer is not reached through files it reads ``ancient()`` that are temporary outputs of the job: it
runs when its own outputs are missing or its identity changed (paintflow's identities chain: a flow
made differently has another identity, and so have its masks), never because a deleted temporary file
was made again with the same identity.
"""

from __future__ import annotations

import os


def apply() -> None:
    from snakemake.dag import DAG

    if getattr(DAG.update_needrun, "paintflow_fix", False):
        return
    original = DAG.update_needrun

    async def update_needrun(self, create_inventory=False):
        # the first pass masks with self.bfs(self.depending, job); nothing else in it walks the DAG
        self.bfs = lambda direction, *jobs, stop=None: iter(())
        depending, self.depending = self.depending, _NotThroughRemadeTemp(self.depending)
        try:
            return await original(self, create_inventory)
        finally:
            del self.bfs
            self.depending = depending

    update_needrun.paintflow_fix = True
    DAG.update_needrun = update_needrun


class _NotThroughRemadeTemp(dict):
    """``DAG.depending`` ({job: {consumer: files it reads from job}}) as ``update_needrun`` walks it, without
    the consumers that read from the job only ``ancient()`` files that are temporary outputs of it or exist
    (the files Snakemake itself does not re-run a consumer for)."""

    def __init__(self, depending):
        super().__init__()
        self._depending = depending

    def __getitem__(self, job):
        consumers = self._depending[job]
        temp = job.temp_output
        if not temp:
            return consumers
        return {
            c: files
            for c, files in consumers.items()
            if not all(f.is_ancient and (f in temp or os.path.exists(f)) for f in files)
        }
