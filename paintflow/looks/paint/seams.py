"""Segmented renders: each segment's frames crossfaded with the next segment's lead-in over the overlap."""

from __future__ import annotations

import numpy as np


def seam_weight(t: int, lead: range) -> float:
    """Weight of the later segment (its lead-in) at frame t of an overlap: rising linearly across it."""
    return (t - lead.start + 1) / (len(lead) + 1)


def seam_chunk(outputs: dict, own: dict, leads: dict, overlaps: list[range], store) -> dict:
    """A segmented render's frames: each segment's own frames, crossfaded with the next segment's lead-in
    over the overlap (the seam spread over `overlap` frames); elsewhere the same file (a hard link)."""
    from paintflow.files import link_into, read_rgb, write_rgb
    from paintflow.jobs import run_frames

    def make(t):
        lead = next((r for r in overlaps if t in r), None)
        if lead is None:
            link_into(own[t], outputs[t])
            return
        w = seam_weight(t, lead)
        a, b = read_rgb(own[t]).astype(np.float32), read_rgb(leads[t]).astype(np.float32)
        write_rgb(outputs[t], np.rint(np.clip((1 - w) * a + w * b, 0, 255)).astype(np.uint8))

    return run_frames({t: [p] for t, p in outputs.items()}, make, store, "seams")
