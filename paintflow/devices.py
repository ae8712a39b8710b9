"""Which device a job computes on."""

from __future__ import annotations


def pick_device(name: str = "auto"):
    """``auto``: CUDA when available, else the CPU; or an explicit ``cpu`` / ``cuda[:N]``."""
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)
