"""Segmented renders: each segment's frames crossfaded with the next segment's lead-in over the overlap."""

from __future__ import annotations


def seam_chunk(outputs: dict, own: dict, leads: dict, overlaps: list[range], store) -> dict:
    """A segmented render's frames: each segment's own frames, crossfaded with the next segment's lead-in
    over the overlap (the seam spread over `overlap` frames); elsewhere the same file (a hard link)."""
    from paintflow.crossfade import mix, weight
    from paintflow.files import link_into, read_rgb, write_rgb
    from paintflow.jobs import run_frames

    def make(t):
        lead = next((r for r in overlaps if t in r), None)
        if lead is None:
            link_into(own[t], outputs[t])
            return
        # the later segment (its lead-in) rises linearly across the overlap
        write_rgb(outputs[t], mix(read_rgb(own[t]), read_rgb(leads[t]), weight(t, lead)))

    return run_frames({t: [p] for t, p in outputs.items()}, make, store, "seams")
