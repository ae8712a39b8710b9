"""paintflow: temporally consistent neural stylization of videos.

All real logic lives here (flow, masks, losses, models, video I/O) so it can be
unit-tested without Snakemake; the workflow in ``rules/`` only orchestrates.
"""

__version__ = "0.1.0"


class PaintflowError(Exception):
    """A user-facing error: bad input, bad config, missing dependency."""
