"""paintflow: temporally consistent neural stylization of videos.

All real logic lives here (flow, masks, losses, models, video I/O) so it can be
unit-tested without Snakemake; the workflow in ``rules/`` only orchestrates.
"""

__version__ = "0.1.0"


class PaintflowError(Exception):
    """A user-facing error: bad input, bad config, missing dependency."""


class AwaitingInput(PaintflowError):
    """A render whose config is right but which waits for what a person makes for it (the keyframe look
    before each shot has a painted frame): an error to the workflow, a step still to do to the studio."""


def _register_parts() -> None:
    """Every stage and look registers itself where it is defined: the shared stages, then each look's
    folder (:mod:`paintflow.looks`). Done once, first thing, whichever of paintflow's modules is
    imported first, so a look module imported on its own finds the others registered."""
    from . import looks, shared_stages  # noqa: F401 - importing them is what registers them

    looks.discover()


_register_parts()
