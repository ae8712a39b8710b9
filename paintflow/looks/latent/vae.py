"""The latent-style look (after a CADL course final project): a convolutional variational autoencoder
(Kingma and Welling 2014) trained on the user's paintings *and* on frames of the video; each frame's
latent code is moved toward the paintings, z' = z + s·(mean_paintings − mean_video), and decoded. The
VAE's output is blurry; a small residual *refiner*, trained afterwards on (VAE output → original image),
sharpens it.

Training is deterministic and resumable: the model starts from ``seed``, and step n's batch (which
paintings, where they are cropped, which frames) and its reparameterisation noise are drawn from
generators seeded by (seed, n) alone, so a run resumed from a checkpoint (weights, optimiser state and
the loss history) takes exactly the steps an uninterrupted run takes and ends with the same weights
(bitwise, on the same device and thread count).

The trained model is also a generator (:meth:`LatentStyle.encode` / :meth:`LatentStyle.decode`): any
latent code decodes to a picture, which the music-driven walk can use as its space.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paintflow import PaintflowError
from paintflow.config import schema_default
from paintflow.files import IMAGE_ENDINGS

log = logging.getLogger("paintflow")

MODEL_VERSION = 1
CHANNELS = (32, 64, 128)  # the encoder's three strided convolutions (the decoder mirrors them)
REFINER_CHANNELS = 32


# --- what a render asks for (checked before any job) ----------------------------------------------
def painting_files(folder, where: str) -> tuple[list[Path], list[str]]:
    """The images of a paintings folder (sorted), and the names of the files skipped because they are
    not images by their ending (notes, .DS_Store…). A file with an image ending that does not decode is
    an error naming it: a painting the user meant to train on must not silently drop out of a days-long
    training."""
    from paintflow.files import read_rgb

    folder = Path(folder)
    if not folder.is_dir():
        raise PaintflowError(f"{where}: paintings folder not found: {folder}")
    files, skipped = [], []
    for p in sorted(folder.iterdir()):
        if p.is_dir():
            continue
        if p.suffix.lower() not in IMAGE_ENDINGS:
            skipped.append(p.name)
            continue
        try:
            read_rgb(p)
        except PaintflowError as err:
            raise PaintflowError(f"{where}: {p.name} is not a readable image ({err}); remove it or fix it") from err
        files.append(p)
    if not files:
        also = f" (skipped, not images: {', '.join(skipped)})" if skipped else ""
        raise PaintflowError(
            f"{where}: no paintings in {folder}: put the paintings to learn from there "
            f"({', '.join(IMAGE_ENDINGS)}){also}"
        )
    return files, skipped


def check(render, rcfg: dict, videos: dict, renders: dict, where: str, config: dict | None = None) -> dict:
    """Paintings, training size and stride of a latent render, as found (every problem named by its config
    key): {painting_files, skipped_files, train_size, every} — the render's ``derived`` facts."""
    s = render.settings
    if s["paintings"] is None:
        raise PaintflowError(f"{where}.paintings: give the folder of paintings the look learns from")
    files, skipped = painting_files(s["paintings"], f"{where}.paintings")
    return {
        "painting_files": [str(p) for p in files],
        "skipped_files": skipped,
        "train_size": list(train_size(s["width"], s["height"], render.width, render.height)),
        # a clip shorter than the stride still trains on its first frame
        "every": render.frames if s["every"] > render.frames > 0 else s["every"],
    }


def train_size(width: int, height: int | None, video_w: int, video_h: int) -> tuple[int, int]:
    """The training size: ``width``, and ``height`` or the video's aspect (even, at least 8)."""
    if height is None:
        from paintflow.video import output_size

        height = max(8, output_size((video_w, video_h), width, None)[1])
    return int(width), int(height)


def training_frames(frames: int, every: int) -> list[int]:
    """The video frames the VAE trains on: every Nth, from frame 1."""
    return list(range(1, frames + 1, every))


# --- the networks ------------------------------------------------------------------------------------
def _sizes(width: int, height: int) -> list[tuple[int, int]]:
    """(h, w) at the input and after each stride-2 convolution (3×3, padding 1: ceil of half)."""
    sizes = [(height, width)]
    for _ in CHANNELS:
        h, w = sizes[-1]
        sizes.append(((h + 1) // 2, (w + 1) // 2))
    return sizes


def build_vae(width: int, height: int, latent: int):
    import torch
    from torch import nn
    from torch.nn import functional as F

    sizes = _sizes(width, height)

    class VAE(nn.Module):
        """Three strided convolutions down, a ``latent``-d Gaussian code, three convolutions up (each after
        a resize to the encoder's size at that level, so any frame size round-trips exactly)."""

        def __init__(self):
            super().__init__()
            chans = (3, *CHANNELS)
            self.down = nn.ModuleList(nn.Conv2d(chans[i], chans[i + 1], 3, 2, 1) for i in range(len(CHANNELS)))
            flat = CHANNELS[-1] * sizes[-1][0] * sizes[-1][1]
            self.mu, self.logvar = nn.Linear(flat, latent), nn.Linear(flat, latent)
            self.expand = nn.Linear(latent, flat)
            self.up = nn.ModuleList(nn.Conv2d(chans[i + 1], chans[i], 3, 1, 1) for i in reversed(range(len(CHANNELS))))

        def encode(self, x):
            for conv in self.down:
                x = F.leaky_relu(conv(x), 0.2)
            x = x.flatten(1)
            return self.mu(x), self.logvar(x).clamp(-12, 12)

        def decode(self, z):
            x = F.leaky_relu(self.expand(z), 0.2).view(-1, CHANNELS[-1], *sizes[-1])
            for i, conv in enumerate(self.up):
                x = conv(F.interpolate(x, size=sizes[-2 - i], mode="bilinear", align_corners=False))
                x = torch.sigmoid(x) if i == len(self.up) - 1 else F.leaky_relu(x, 0.2)
            return x

    return VAE()


def build_refiner():
    from torch import nn

    class Refiner(nn.Module):
        """out = clamp(x + residual(x)): three 3×3 convolutions that add back detail the VAE blurred."""

        def __init__(self):
            super().__init__()
            c = REFINER_CHANNELS
            self.body = nn.Sequential(
                nn.Conv2d(3, c, 3, 1, 1),
                nn.LeakyReLU(0.2),
                nn.Conv2d(c, c, 3, 1, 1),
                nn.LeakyReLU(0.2),
                nn.Conv2d(c, 3, 3, 1, 1),
            )

        def forward(self, x):
            return (x + self.body(x)).clamp(0, 1)

    return Refiner()


# --- training data -----------------------------------------------------------------------------------
@dataclass
class TrainingData:
    paintings: list  # float32 HWC in [0, 1], shrunk to at most 4× the training size
    frames: np.ndarray  # [N, h, w, 3] float32: the video's training frames at the training size
    width: int
    height: int

    @classmethod
    def load(cls, painting_paths, frame_paths, width: int, height: int) -> TrainingData:
        import cv2

        from paintflow.files import read_rgb

        paintings = []
        for p in painting_paths:
            rgb = read_rgb(p)
            shrink = min(1.0, 4 * max(width / rgb.shape[1], height / rgb.shape[0]))
            if shrink < 1.0:
                size = (max(width, round(rgb.shape[1] * shrink)), max(height, round(rgb.shape[0] * shrink)))
                rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
            paintings.append(rgb.astype(np.float32) / 255)
        frames = np.stack([_fit(read_rgb(p), width, height) for p in frame_paths]).astype(np.float32) / 255
        return cls(paintings, frames, width, height)

    def crop(self, painting: np.ndarray, rng: np.random.Generator, scale: float | None = None) -> np.ndarray:
        """A crop of the training aspect (``scale`` of the largest such crop; random in [0.35, 1] when
        None), at a random place, resized to the training size."""
        import cv2

        ph, pw = painting.shape[:2]
        aspect = self.width / self.height
        full_w = min(pw, ph * aspect)
        s = rng.uniform(0.35, 1.0) if scale is None else scale
        cw, ch = max(2, int(full_w * s)), max(2, int(full_w * s / aspect))
        x0, y0 = rng.integers(0, pw - cw + 1), rng.integers(0, ph - ch + 1)
        return cv2.resize(painting[y0 : y0 + ch, x0 : x0 + cw], (self.width, self.height), interpolation=cv2.INTER_AREA)

    def batch(self, seed: int, step: int, size: int) -> np.ndarray:
        """Step ``step``'s batch [size, 3, h, w]: half painting crops, half video frames, drawn from a
        generator seeded by (seed, step) only (a resumed run draws what an uninterrupted one draws)."""
        rng = np.random.default_rng([seed, step])
        n_paint = (size + 1) // 2
        out = [self.crop(self.paintings[rng.integers(len(self.paintings))], rng) for _ in range(n_paint)]
        out += [self.frames[i] for i in rng.integers(0, len(self.frames), size - n_paint)]
        return np.stack(out).transpose(0, 3, 1, 2)

    def painting_views(self) -> np.ndarray:
        """Fixed views of every painting (the whole, and four corners at 60 %) for the paintings' mean code."""
        views = []
        for i, painting in enumerate(self.paintings):
            rng = np.random.default_rng([7, i])
            views.append(self.crop(painting, rng, 1.0))
            views += [self.crop(painting, rng, 0.6) for _ in range(4)]
        return np.stack(views).transpose(0, 3, 1, 2)


def _fit(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    import cv2

    return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)


# --- training ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrainSettings:
    width: int
    height: int
    latent: int = schema_default("latent", "latent")
    steps: int = schema_default("latent", "steps")
    refiner_steps: int = schema_default("latent", "refiner_steps")
    batch: int = schema_default("latent", "batch")
    learning_rate: float = schema_default("latent", "learning_rate")
    kl_weight: float = schema_default("latent", "kl_weight")
    seed: int = schema_default("latent", "seed")
    checkpoint_every: int = schema_default("latent", "checkpoint_every")

    @classmethod
    def from_config(cls, s: dict, size) -> TrainSettings:
        """From a latent render's settings and its training size (``derived["train_size"]``)."""
        keys = ("latent", "steps", "refiner_steps", "batch", "learning_rate", "kl_weight", "seed", "checkpoint_every")
        return cls(*size, **{k: s[k] for k in keys})

    @property
    def total(self) -> int:
        return self.steps + self.refiner_steps


def vae_loss(vae, x, generator):
    """(reconstruction, KL, output): the mean squared error per value, and the KL divergence of the code
    from N(0, I) per value of the image (so ``kl_weight`` 1 is the ELBO of a Gaussian decoder)."""
    import torch

    mu, logvar = vae.encode(x)
    eps = torch.randn(mu.shape, generator=generator).to(x.device)
    out = vae.decode(mu + eps * torch.exp(0.5 * logvar))
    recon = ((out - x) ** 2).mean()
    kl = -0.5 * (1 + logvar - mu**2 - logvar.exp()).sum(dim=1).mean() / x[0].numel()
    return recon, kl, out


class Trainer:
    """Trains the VAE, then the refiner, with checkpoints in ``checkpoint`` (a file, replaced atomically)."""

    def __init__(self, data: TrainingData, settings: TrainSettings, checkpoint, device="cpu", progress=None):
        import torch

        self.data, self.s, self.checkpoint = data, settings, Path(checkpoint)
        self.device = torch.device(device)
        self.progress = progress
        torch.manual_seed(settings.seed)
        self.vae = build_vae(settings.width, settings.height, settings.latent).to(self.device)
        self.refiner = build_refiner().to(self.device)
        self.opt_vae = torch.optim.Adam(self.vae.parameters(), lr=settings.learning_rate)
        self.opt_ref = torch.optim.Adam(self.refiner.parameters(), lr=settings.learning_rate)
        self.step, self.history = 0, []  # history: [step, phase (0 VAE, 1 refiner), reconstruction, KL]
        self.resumed_from = self._resume()

    def _state(self) -> dict:
        return {
            "version": MODEL_VERSION,
            "settings": self.s.__dict__,
            "step": self.step,
            "vae": self.vae.state_dict(),
            "refiner": self.refiner.state_dict(),
            "opt_vae": self.opt_vae.state_dict(),
            "opt_ref": self.opt_ref.state_dict(),
            "history": self.history,
        }

    def _resume(self) -> int:
        import torch

        if not self.checkpoint.is_file():
            return 0
        try:
            state = torch.load(self.checkpoint, map_location=self.device, weights_only=False)
        except Exception as err:  # a damaged checkpoint costs its steps, not the training
            log.warning("checkpoint %s unreadable (%s): training from the start", self.checkpoint, err)
            return 0
        if state.get("settings") != self.s.__dict__ or state.get("version") != MODEL_VERSION:
            log.warning("checkpoint %s is of other settings: training from the start", self.checkpoint)
            return 0
        self.vae.load_state_dict(state["vae"])
        self.refiner.load_state_dict(state["refiner"])
        self.opt_vae.load_state_dict(state["opt_vae"])
        self.opt_ref.load_state_dict(state["opt_ref"])
        self.step, self.history = state["step"], state["history"]
        log.info("resumed the training at step %d of %d from %s", self.step, self.s.total, self.checkpoint)
        return self.step

    def save_checkpoint(self) -> None:
        from paintflow.files import save_torch

        save_torch(self._state(), self.checkpoint)

    def _one_step(self, n: int) -> None:
        import torch

        x = torch.from_numpy(self.data.batch(self.s.seed, n, self.s.batch)).to(self.device)
        g = torch.Generator().manual_seed(self.s.seed * 1_000_003 + n)
        if n < self.s.steps:
            self.vae.train()
            recon, kl, _ = vae_loss(self.vae, x, g)
            loss = recon + self.s.kl_weight * kl
            self.opt_vae.zero_grad(set_to_none=True)
            loss.backward()
            self.opt_vae.step()
            self.history.append([n + 1, 0, recon.item(), kl.item()])
        else:
            self.vae.eval()
            with torch.no_grad():
                blurry = self.vae.decode(self.vae.encode(x)[0])
            loss = ((self.refiner(blurry) - x) ** 2).mean()
            self.opt_ref.zero_grad(set_to_none=True)
            loss.backward()
            self.opt_ref.step()
            self.history.append([n + 1, 1, loss.item(), 0.0])

    def run(self, on_checkpoint=None) -> None:
        """Train to the last step; ``on_checkpoint(step)`` is called after each checkpoint is written."""
        start, t0 = self.step, time.perf_counter()
        while self.step < self.s.total:
            self._one_step(self.step)
            self.step += 1
            if self.progress:
                self.progress(self.step, self.s.total, self.history, (self.step - start) / (time.perf_counter() - t0))
            if self.step % self.s.checkpoint_every == 0 or self.step == self.s.total:
                self.save_checkpoint()
                if on_checkpoint:
                    on_checkpoint(self.step)

    def means(self) -> tuple:
        """The mean latent code of the paintings' fixed views and of the video's training frames."""
        import torch

        self.vae.eval()
        with torch.no_grad():
            paint = _codes(self.vae, self.data.painting_views(), self.device).mean(0)
            video = _codes(self.vae, self.data.frames.transpose(0, 3, 1, 2), self.device).mean(0)
        return paint.cpu(), video.cpu()

    def model(self) -> dict:
        """What the look needs to apply the trained model (no optimiser state)."""
        paint, video = self.means()
        return {
            "version": MODEL_VERSION,
            "width": self.s.width,
            "height": self.s.height,
            "latent": self.s.latent,
            "vae": {k: v.cpu() for k, v in self.vae.state_dict().items()},
            "refiner": {k: v.cpu() for k, v in self.refiner.state_dict().items()} if self.s.refiner_steps else None,
            "mean_paintings": paint,
            "mean_video": video,
            "history": self.history,
        }


def _codes(vae, images: np.ndarray, device, batch: int = 64):
    import torch

    return torch.cat(
        [
            vae.encode(torch.from_numpy(np.ascontiguousarray(images[i : i + batch])).to(device))[0]
            for i in range(0, len(images), batch)
        ]
    )


class TrainingProgress:
    """One line every few seconds on the terminal (and every line in the job's log): step, loss, speed, ETA;
    and, as often, the job's progress record (``record``: progress.write_job_progress) with the curve of the
    reconstruction loss so far, for ``paintflow status`` and the studio."""

    EVERY_S = 5.0

    def __init__(self, owner: str, stream=None, record=None):
        self.owner, self.stream, self.record, self.last = owner, stream, record, 0.0

    def __call__(self, step: int, total: int, history: list, per_second: float) -> None:
        now = time.monotonic()
        if now - self.last < self.EVERY_S and step != total:
            return
        self.last = now
        from paintflow.jobs import _duration

        record = history[-1]
        phase = "VAE" if record[1] == 0 else "refiner"
        line = (
            f"[latent training · {self.owner}] step {step}/{total} ({100 * step / total:.0f} %) · {phase} "
            f"reconstruction {record[2]:.4g} · {per_second:.1f} steps/s"
        )
        if step < total:
            line += f" · ETA {_duration((total - step) / max(per_second, 1e-9))}"
        log.info(line)
        if self.stream is not None:
            print(line, file=self.stream, flush=True)
        self.write(step, total, history, per_second)

    def write(self, step: int, total: int, history: list, per_second: float, chart: str | None = None) -> None:
        """The progress record (``chart``: the finished loss plot)."""
        if self.record is None:
            return
        from paintflow.progress import write_job_progress

        values = [h[2] for h in history]  # the VAE's reconstruction, then the refiner's
        write_job_progress(self.record, "latent-style training", step, total, per_second, "reconstruction loss",
                           values, chart)  # fmt: skip


def train(
    painting_paths,
    frame_paths,
    settings: TrainSettings,
    checkpoint,
    outputs: dict,
    device: str = "auto",
    threads: int = 2,
    owner: str = "",
    stream=None,
    on_checkpoint=None,
    record=None,
) -> dict:
    """The training job: train (resuming from ``checkpoint``), then write ``outputs["model"]`` (the
    model file), ``outputs["loss"]`` (CSV), ``outputs["chart"]`` (the loss plot) and
    ``outputs["samples"]`` (frames and paintings through the model)."""
    import torch

    from paintflow.devices import pick_device
    from paintflow.files import save_torch

    torch.set_num_threads(max(1, threads))
    data = TrainingData.load(painting_paths, frame_paths, settings.width, settings.height)
    dev = pick_device(device)
    progress = TrainingProgress(owner, stream, record)
    trainer = Trainer(data, settings, checkpoint, dev, progress)
    trainer.run(on_checkpoint)
    model = trainer.model()
    save_torch(model, outputs["model"])
    write_history(trainer.history, outputs["loss"])
    loss_chart(trainer.history, settings, f"{owner}: latent-style training loss").save(outputs["chart"])
    samples_sheet(LatentStyle(model, dev), data).save(outputs["samples"])
    progress.write(trainer.step, settings.total, trainer.history, 0.0, chart=outputs["chart"])
    first = np.mean([h[2] for h in trainer.history[:10]])
    last = np.mean([h[2] for h in trainer.history if h[1] == 0][-10:])
    return {"steps": settings.total, "resumed_from": trainer.resumed_from, "reconstruction": [first, last]}


def write_history(history: list, path) -> None:
    from paintflow.files import write_bytes

    lines = ["step,phase,reconstruction,kl"]
    lines += [f"{s},{'vae' if p == 0 else 'refiner'},{r:.9g},{k:.9g}" for s, p, r, k in history]
    write_bytes(path, ("\n".join(lines) + "\n").encode())


def loss_chart(history: list, settings: TrainSettings, title: str):
    """The loss over the steps (a running mean over 1 % of them): the VAE's reconstruction and KL, then
    the refiner's reconstruction."""
    from paintflow.figures import line_chart

    window = max(1, settings.total // 100)

    def smooth(values):
        v = np.asarray(values, np.float64)
        if not len(v):
            return []
        kernel = np.ones(min(window, len(v))) / min(window, len(v))
        return list(np.convolve(v, kernel, mode="valid"))

    vae = [h for h in history if h[1] == 0]
    ref = [h for h in history if h[1] == 1]
    series = {
        "VAE reconstruction": smooth([h[2] for h in vae]) + [math.nan] * len(ref),
        "VAE KL (weighted)": smooth([settings.kl_weight * h[3] for h in vae]) + [math.nan] * len(ref),
    }
    if ref:
        series["refiner reconstruction"] = [math.nan] * len(vae) + smooth([h[2] for h in ref])
    marks = [(settings.steps, "refiner")] if ref else None
    return line_chart(series, title, xlabel="step", x0=1, dx=1, width=900, height=360, marks=marks)


# --- applying the model -------------------------------------------------------------------------------
class LatentStyle:
    """A trained model: ``style(rgb, strength)`` paints a frame; ``encode``/``decode`` make it a
    generator (a latent code → a picture at the training size)."""

    def __init__(self, model, device="cpu"):
        import torch

        from paintflow.devices import pick_device

        if not isinstance(model, dict):
            try:
                model = torch.load(model, map_location="cpu", weights_only=False)
            except Exception as err:
                raise PaintflowError(f"{model}: not a latent-style model ({err})") from err
        if model.get("version") != MODEL_VERSION:
            raise PaintflowError(f"latent-style model of another version ({model.get('version')})")
        self.device = pick_device(device) if isinstance(device, str) else device
        self.width, self.height = model["width"], model["height"]
        self.vae = build_vae(self.width, self.height, model["latent"])
        self.vae.load_state_dict(model["vae"])
        self.vae.to(self.device).eval()
        self.refiner = None
        if model["refiner"] is not None:
            self.refiner = build_refiner()
            self.refiner.load_state_dict(model["refiner"])
            self.refiner.to(self.device).eval()
        self.shift = (model["mean_paintings"] - model["mean_video"]).to(self.device)
        self.mean_paintings = model["mean_paintings"].to(self.device)
        self.mean_video = model["mean_video"].to(self.device)

    def encode(self, rgb: np.ndarray):
        """The mean latent code of a picture (any size: resized to the training size)."""
        import torch

        x = torch.from_numpy(_fit(rgb, self.width, self.height).astype(np.float32).transpose(2, 0, 1)[None] / 255)
        with torch.no_grad():
            return self.vae.encode(x.to(self.device))[0][0]

    def decode(self, z, refine: bool = True, size: tuple[int, int] | None = None) -> np.ndarray:
        """The picture of a latent code (uint8 RGB; ``size`` (w, h): resized to it)."""
        import cv2
        import torch

        with torch.no_grad():
            y = self.vae.decode(torch.as_tensor(z, dtype=torch.float32, device=self.device).reshape(1, -1))
            if refine and self.refiner is not None:
                y = self.refiner(y)
        out = (y[0].cpu().numpy().transpose(1, 2, 0) * 255).round().clip(0, 255).astype(np.uint8)
        if size is not None and size != (self.width, self.height):
            out = cv2.resize(out, size, interpolation=cv2.INTER_CUBIC)
        return out

    def __call__(self, rgb: np.ndarray, strength: float, refine: bool = True) -> np.ndarray:
        """z' = encode(frame) + strength·(mean of the paintings − mean of the video), decoded, refined,
        at the frame's size."""
        z = self.encode(rgb) + float(strength) * self.shift
        return self.decode(z, refine, (rgb.shape[1], rgb.shape[0]))


def samples_sheet(style: LatentStyle, data: TrainingData):
    """Four training frames and two paintings through the model: as they are, reconstructed (strength 0),
    shifted toward the paintings (strength 1), and shifted without the refiner."""
    from paintflow.figures import stage_strip

    picks = sorted({round(i * (len(data.frames) - 1) / 3) for i in range(4)})
    rows = []
    for i in picks:
        rgb = (data.frames[i] * 255).round().astype(np.uint8)
        rows.append((f"frame {i + 1}", [rgb, style(rgb, 0.0), style(rgb, 1.0, refine=False), style(rgb, 1.0)]))
    for i, painting in enumerate(data.paintings[:2]):
        rgb = (data.crop(painting, np.random.default_rng([7, i]), 1.0) * 255).round().astype(np.uint8)
        rows.append((f"painting {i + 1}", [rgb, style(rgb, 0.0), None, None]))
    titles = ["original", "VAE (strength 0)", "shifted, no refiner", "shifted + refiner"]
    return stage_strip(rows, titles, height=max(90, min(180, style.height * 3)))


def preview(dag, render: str, rgb: np.ndarray, quick: bool = True, t: int | None = None) -> np.ndarray:
    """One frame with the render's trained model (``paintflow preview``); the model must exist."""
    from paintflow.looks import latent as latent_look

    path = latent_look.paths(dag, render)["model"]
    if not Path(path).is_file():
        raise PaintflowError(
            f"the latent look of {render} paints with a model trained on its paintings: a preview is possible once "
            f"the training is done (start the render: it trains first; from a terminal, "
            f"`snakemake --until latent_train_{render}`)"
        )
    s = dag.renders[render].settings
    return LatentStyle(path, s["device"])(rgb, s["strength"])
