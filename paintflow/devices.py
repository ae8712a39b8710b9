"""Which device a job computes on."""

from __future__ import annotations


def pick_device(name: str = "auto"):
    """``auto``: CUDA when available, else the CPU; or an explicit ``cpu`` / ``cuda[:N]``."""
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


# --- one GPU per job on a workstation ---------------------------------------------------------------
# Snakemake counts the `gpu` resource but gives local jobs no GPU ids (snakemake issue #281): two GPU jobs
# on a two-GPU workstation would both use GPU 0. Each GPU job claims the lowest free slot of a pool of
# lock files and exports it as CUDA_VISIBLE_DEVICES before CUDA starts. The lock (flock) is released by the
# kernel when the job's process ends, however it ends.
_held = []


def gpu_count() -> int:
    """GPUs of this machine: $PAINTFLOW_GPUS, else the NVIDIA driver's list, else 0."""
    import os
    from pathlib import Path

    if os.environ.get("PAINTFLOW_GPUS"):
        return int(os.environ["PAINTFLOW_GPUS"])
    gpus = Path("/proc/driver/nvidia/gpus")
    return len(list(gpus.iterdir())) if gpus.is_dir() else 0


def claim_gpu(pool_dir, slots: int | None = None, wait: float = 3600.0) -> int | None:
    """Claim a GPU for this process (sets CUDA_VISIBLE_DEVICES); None when there is nothing to claim
    (no GPU, or a scheduler such as SLURM already chose one)."""
    import fcntl
    import os
    import time
    from pathlib import Path

    if os.environ.get("CUDA_VISIBLE_DEVICES") or os.environ.get("SLURM_JOB_ID"):
        return None
    slots = gpu_count() if slots is None else slots
    if slots <= 0:
        return None
    folder = Path(pool_dir)
    folder.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        for slot in range(slots):
            fd = os.open(folder / f"gpu{slot}.lock", os.O_CREAT | os.O_RDWR, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            _held.append(fd)
            os.environ["CUDA_VISIBLE_DEVICES"] = str(slot)
            return slot
        if time.monotonic() > deadline:
            raise TimeoutError(f"no free GPU slot among {slots} after {wait:.0f} s")
        time.sleep(0.2)
