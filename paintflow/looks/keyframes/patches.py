"""Few-shot patch-based training (Texler et al. 2020): per shot, a small fully convolutional network learns
the mapping frame → painting from random patches of the shot's keyframes (the source frame's patch in, the
keyframe's patch out), then paints every frame of the shot on its own — random access, any chunk, any
order. Trained on patches, not whole frames, it learns what a stroke looks like over what was filmed, not
where things were: it follows the subject where warping a keyframe along the flow tears. One network per
shot over all its keyframes: a frame between two keyframes takes from both, with no pop at the midpoint.
Written from the paper's description (its code is not used); without its adversarial term and guides."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np

from paintflow import AwaitingInput, PaintflowError

NAME = re.compile(r"^(\d+)\.(png|jpg|jpeg|tif|tiff|webp|bmp)$", re.IGNORECASE)
ASPECT_TOLERANCE = 0.02  # a keyframe's aspect may differ this much from the frames' (resized to them)


# --- checks ------------------------------------------------------------------------------------------
def read_keyframe(path) -> np.ndarray:
    """A keyframe as RGB or RGBA uint8 (a PNG's alpha kept)."""
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None or image.ndim not in (2, 3):
        raise PaintflowError(f"{path}: not a readable image")
    if image.dtype != np.uint8:  # 16-bit PNG or TIFF
        image = (image.astype(np.float32) / np.iinfo(image.dtype).max * 255 + 0.5).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGBA)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


class KeyframeShapes:
    """(height, width, channels) of keyframe files, each decoded once per version of the file: kept in a
    JSON file under the results (``.paintflow/keyframe_shapes.json``) while its inode, size, mtime and ctime
    are unchanged — the config check runs whenever the workflow is read (every dry run, plan, status and, on
    a cluster, every job), and a shot's worth of 4K paintings takes seconds to decode."""

    def __init__(self, cache: Path | None):
        import json

        self.cache, self.data, self.dirty = cache, {}, False
        if cache is not None and cache.is_file():
            try:
                self.data = json.loads(cache.read_text())
            except ValueError:
                self.data = {}

    def __call__(self, path: Path) -> tuple[int, int, int]:
        st = path.stat()
        stamp, name = [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns], str(path.resolve())
        hit = self.data.get(name)
        if not hit or hit["stamp"] != stamp:
            image = read_keyframe(path)  # a picture that is not one is said here, by the caller
            hit = self.data[name] = {"stamp": stamp, "shape": [*image.shape[:2], image.shape[2]]}
            self.dirty = True
        return tuple(hit["shape"])

    def save(self) -> None:
        from paintflow.files import write_json

        if self.dirty and self.cache is not None:
            try:
                write_json(self.cache, self.data)
            except (OSError, PaintflowError):
                pass  # a results folder that cannot be written yet: decoded again next time


def check(render, rcfg: dict, videos: dict, renders: dict, where: str, config: dict | None = None) -> dict:
    """The keyframes of a render, each checked before any job (named by the frame it paints, inside the
    clip, an image of the frames' shape), and the shots with theirs: {keyframes: {t: file}, shots: [[first,
    stop, [t…]]], alpha} — the render's ``derived`` facts. A shot without a keyframe is an error naming it
    unless ``missing: as_filmed``."""
    s = render.settings
    if s["keyframes"] is None:
        raise PaintflowError(f"{where}.keyframes: give the folder of your painted frames (000012.png paints frame 12)")
    folder = Path(s["keyframes"])
    if not folder.is_dir():
        raise PaintflowError(f"{where}.keyframes: folder not found: {folder}")
    found, alpha = {}, False
    results = (config or {}).get("results")
    shapes = KeyframeShapes(Path(results) / ".paintflow" / "keyframe_shapes.json" if results else None)
    for p in sorted(folder.iterdir()):
        if p.is_dir() or p.name.startswith("."):
            continue
        m = NAME.match(p.name)
        if not m:
            raise PaintflowError(
                f"{where}.keyframes: {p.name}: a keyframe is a picture named by the frame it paints "
                "(000012.png paints frame 12, as `paintflow keyframes` and frames/ name them)"
            )
        t = int(m.group(1))
        if not 1 <= t <= render.frames:
            raise PaintflowError(
                f"{where}.keyframes: {p.name} paints frame {t}, but the clip has {render.frames} frames"
            )
        try:
            h, w, channels = shapes(p)
        except PaintflowError as err:
            raise PaintflowError(f"{where}.keyframes: {p.name} is not a readable image ({err})") from err
        want, got = render.width / render.height, w / h
        if abs(got - want) > ASPECT_TOLERANCE * want:
            raise PaintflowError(
                f"{where}.keyframes: {p.name} is {w}x{h} (aspect {got:.3f}), the clip's frames are "
                f"{render.width}x{render.height} ({want:.3f}): paint over the frame itself, at any size of its shape"
            )
        if t in found:
            raise PaintflowError(f"{where}.keyframes: {p.name} and {Path(found[t]).name} both paint frame {t}")
        found[t], alpha = str(p), alpha or channels == 4
    shapes.save()
    if not found:
        raise AwaitingInput(f"{where}.keyframes: no painted frames in {folder} yet (000012.png paints frame 12)")
    shots = videos[render.video].shots.ranges() if render.video in videos else [range(1, render.frames + 1)]
    rows = []
    for i, shot in enumerate(shots):
        keys = [t for t in sorted(found) if t in shot]
        if not keys and s["missing"] == "error":
            raise AwaitingInput(
                f"{where}.keyframes: shot {i + 1} (frames {shot.start}-{shot.stop - 1}) has no keyframe: paint one "
                f"of its frames (e.g. {shot.start:06d}.png), or set missing: as_filmed to show it as filmed"
            )
        rows.append([shot.start, shot.stop, keys])
    return {"keyframes": {str(t): p for t, p in sorted(found.items())}, "shots": rows, "alpha": alpha}


def keyframe_pair(source, key_file, alpha: bool) -> tuple[np.ndarray, np.ndarray]:
    """(a keyframe's source frame, the keyframe at the frame's size), both uint8; ``source``: the frame's file
    or the frame itself; with ``alpha`` (the render's keyframes have one) the keyframe RGBA, an RGB one
    opaque."""
    from paintflow.files import read_rgb
    from paintflow.resize import exactly

    source = source if isinstance(source, np.ndarray) else read_rgb(source)
    key = read_keyframe(key_file)
    key = exactly(key, source.shape[1], source.shape[0])
    if alpha and key.shape[2] == 3:
        key = np.concatenate([key, np.full(key.shape[:2] + (1,), 255, np.uint8)], 2)
    return source, key


def neighbour_frames(keys: list[int], first: int, stop: int, neighbours: int) -> dict[int, tuple[int, int]]:
    """{t: (its keyframe, how far)} of the frames up to ``neighbours`` from a keyframe, inside the shot
    [first, stop), that are not keyframes themselves (the nearest keyframe, the earlier on a tie)."""
    out = {}
    for d in range(1, neighbours + 1):
        for k in keys:
            for t in (k - d, k + d):
                if first <= t < stop and t not in keys and t not in out:
                    out[t] = (k, d)
    return dict(sorted(out.items()))


def neighbour_pairs(sources: dict, keyed: dict, near: dict) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Training pairs the keyframes carry to the frames near them: (frame t, its keyframe warped onto t along
    the optical flow t → k (DIS), a weight per pixel: the flow's consistency mask × ½ per frame away) for each
    t of ``near`` ({t: (k, distance)}, :func:`neighbour_frames`); ``sources``: {t: frame}, ``keyed``: {k:
    (source, keyframe)} as :func:`keyframe_pair` gives them. More of the shot's content under the artist's
    strokes, where the flow can tell: the network generalises further from its keyframes."""
    from paintflow.flow import compute_flow
    from paintflow.masks import consistency_mask
    from paintflow.warp import warp

    out = []
    for t, (k, d) in near.items():
        back, fwd = compute_flow(sources[t], keyed[k][0], "dis"), compute_flow(keyed[k][0], sources[t], "dis")
        target = np.clip(np.rint(warp(keyed[k][1].astype(np.float32), back)), 0, 255).astype(np.uint8)
        out.append((sources[t], target, consistency_mask(back, fwd).astype(np.float32) * 0.5**d))
    return out


# --- the network -------------------------------------------------------------------------------------
def build(channels: int, out: int, levels: int = 2):
    """A small U-shaped network: a full-resolution branch and ``levels`` halvings (each doubling the
    channels, up to 4×) with residual blocks at the lowest, each level's result upsampled and joined to the
    level above; fully convolutional (trained on patches, run on whole frames). Output in [0, 1]."""
    import torch
    from torch import nn
    from torch.nn import functional as F

    widths = [channels * min(2**i, 4) for i in range(levels + 1)]

    class Residual(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.a, self.b = nn.Conv2d(n, n, 3, 1, 1), nn.Conv2d(n, n, 3, 1, 1)

        def forward(self, x):
            return x + self.b(F.relu(self.a(x)))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = nn.Conv2d(3, widths[0], 3, 1, 1, padding_mode="reflect")
            self.down = nn.ModuleList(
                nn.Conv2d(widths[i], widths[i + 1], 3, 2, 1, padding_mode="reflect") for i in range(levels)
            )
            self.mid = nn.Sequential(Residual(widths[-1]), Residual(widths[-1]))
            self.up = nn.ModuleList(nn.Conv2d(widths[i + 1], widths[i], 3, 1, 1) for i in range(levels))
            self.fuse = nn.ModuleList(nn.Conv2d(2 * widths[i], widths[i], 3, 1, 1) for i in range(levels))
            self.out = nn.Conv2d(widths[0], out, 3, 1, 1)

        def forward(self, x):
            skips = [F.relu(self.inp(x * 2 - 1))]
            for down in self.down:
                skips.append(F.relu(down(skips[-1])))
            y = self.mid(skips.pop())
            for i in reversed(range(levels)):
                skip = skips.pop()
                up = F.relu(self.up[i](F.interpolate(y, size=skip.shape[2:], mode="bilinear", align_corners=False)))
                y = F.relu(self.fuse[i](torch.cat([skip, up], 1)))
            return torch.sigmoid(self.out(y))

    return Net()


def _tensor(image: np.ndarray):
    import torch

    return torch.from_numpy(np.ascontiguousarray(image.astype(np.float32) / 255.0)).permute(2, 0, 1)[None]


def train_shot(
    pairs: list[tuple],
    settings: dict,
    device,
    alpha: bool = False,
    on_step=None,
    checkpoint: Path | None = None,
):
    """A shot's network from its (source frame, keyframe) pairs (:func:`keyframe_pair`; a third item, a
    float weight per pixel: a pair of :func:`neighbour_pairs`): random patches, L1 on colour, and with
    ``alpha`` (the keyframes RGBA: every shot's network paints it) weighted by the keyframe's alpha, and L1 on
    alpha; each pixel by its pair's weight where pairs have one. With a
    ``checkpoint`` file, the network, the optimiser and the patch generator are saved there every tenth of
    the steps and a training killed in between goes on from the last one — to the same network, bit for bit.
    Returns (network, [loss per step])."""
    import torch

    from paintflow.files import save_torch

    torch.manual_seed(settings["seed"])
    rng = np.random.default_rng(settings["seed"])
    net = build(settings["channels"], 4 if alpha else 3, settings["levels"]).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=settings["learning_rate"])
    sources = [_tensor(p[0]).to(device) for p in pairs]
    targets = [_tensor(p[1]).to(device) for p in pairs]
    weighted = any(len(p) > 2 for p in pairs)
    if weighted:
        ones = np.ones(pairs[0][0].shape[:2], np.float32)
        weights = [torch.from_numpy(p[2] if len(p) > 2 else ones)[None, None].to(device) for p in pairs]
    h, w = sources[0].shape[2:]
    side_h, side_w = min(settings["patch"], h), min(settings["patch"], w)
    losses, start, every = [], 0, max(1, settings["steps"] // 10)
    if checkpoint is not None and Path(checkpoint).is_file():
        state = torch.load(checkpoint, weights_only=False)
        net.load_state_dict(state["net"])
        opt.load_state_dict(state["opt"])
        rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])
        start, losses = state["step"], list(state["losses"])
    for step in range(start, settings["steps"]):
        xs, ys, ws = [], [], []
        for _ in range(settings["batch"]):
            i = int(rng.integers(len(pairs)))
            y, x = int(rng.integers(h - side_h + 1)), int(rng.integers(w - side_w + 1))
            xs.append(sources[i][..., y : y + side_h, x : x + side_w])
            ys.append(targets[i][..., y : y + side_h, x : x + side_w])
            if weighted:
                ws.append(weights[i][..., y : y + side_h, x : x + side_w])
        x, y = torch.cat(xs), torch.cat(ys)
        out = net(x)
        err = (out - y).abs()
        if weighted:
            wt = torch.cat(ws)
            total = wt.sum().clamp_min(1e-6)
            colour = wt * (y[:, 3:] * err[:, :3] if alpha else err[:, :3])
            loss = colour.sum() / (3 * total) + ((wt * err[:, 3:]).sum() / total if alpha else 0)
        else:
            loss = (y[:, 3:] * err[:, :3]).mean() + err[:, 3:].mean() if alpha else err.mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        if checkpoint is not None and (step + 1) % every == 0 and step + 1 < settings["steps"]:
            state = {"net": net.state_dict(), "opt": opt.state_dict(), "rng": rng.bit_generator.state}
            save_torch({**state, "torch_rng": torch.get_rng_state(), "step": step + 1, "losses": losses}, checkpoint)
        if on_step:
            on_step(step + 1, losses[-1])
    return net.eval(), losses


def shot_key(first: int, stop: int, keys: list[int], derived: dict, frames: dict, settings: dict) -> str:
    """What decides the network of the shot [first, stop): the training settings, the render's alpha, for
    each keyframe its frame, its file's content and its source frame's content, and the contents of the
    frames near them it learns from too (:func:`neighbour_frames`; the shot's other frames play no part)."""
    import hashlib

    from paintflow.identity import key_of

    from . import TRAIN_KEYS

    def content(path):
        return hashlib.blake2b(Path(path).read_bytes(), digest_size=16).hexdigest()

    pairs = [[t, content(derived["keyframes"][str(t)]), content(frames[t])] for t in keys]
    near = [[t, content(frames[t])] for t in neighbour_frames(keys, first, stop, settings["neighbours"])]
    settings = {k: settings[k] for k in TRAIN_KEYS}
    return key_of({"settings": settings, "alpha": derived["alpha"], "keys": pairs, "near": near})


SHOT_FILE = "shot{first}.pt"  # a shot's network, by its first frame (6 digits), beside the model: its job's output


def shot_file(folder, first: int) -> Path:
    return Path(folder) / SHOT_FILE.format(first=f"{first:06d}")


def training_pairs(first: int, stop: int, keys: list[int], derived: dict, frames: dict, neighbours: int) -> list:
    """The training pairs of the shot [first, stop): its keyframes (:func:`keyframe_pair`) and what they
    carry to the frames near them (:func:`neighbour_pairs`); ``frames``: {t: source frame or its file} of
    the keyframes' frames and theirs."""
    from paintflow.files import read_rgb

    keyed = {k: keyframe_pair(frames[k], derived["keyframes"][str(k)], derived["alpha"]) for k in keys}
    near = neighbour_frames(keys, first, stop, neighbours)
    sources = {t: frames[t] if isinstance(frames[t], np.ndarray) else read_rgb(frames[t]) for t in near}
    return [keyed[k] for k in keys] + neighbour_pairs(sources, keyed, near)


def train_one(
    shot: tuple[int, int, list[int]], derived: dict, frames: dict, settings: dict, out, device="auto", log=None
):
    """The network of ``shot`` ([first, stop, its keyframes]) into ``out`` ({net, losses}). ``frames``:
    {t: source frame file} of the keyframes' frames and of those near them (:func:`neighbour_frames`).

    The network is kept in ``shots/`` beside ``out``, named by what decides it (:func:`shot_key`): the same
    keyframes and settings take it as it was, whatever else changed, and a killed training goes on from its
    last checkpoint (every tenth of the steps) to the same network, bit for bit. Returns whether it trained."""
    import shutil

    import torch

    from paintflow.devices import pick_device
    from paintflow.files import is_intact, save_torch

    first, stop, keys = shot
    kept = Path(out).parent / "shots"
    name = shot_key(first, stop, keys, derived, frames, settings)
    done, part = kept / f"{name}.pt", kept / f"{name}.part.pt"
    trained = not is_intact(done)
    if not trained:
        if log:
            log.info("shot at frame %d: its keyframes and settings are unchanged, network kept", first)
    else:
        pairs = training_pairs(first, stop, keys, derived, frames, settings["neighbours"])

        def said(step, loss, every=max(1, settings["steps"] // 10)):
            if log and step % every == 0:
                log.info("shot at frame %d: step %d of %d, loss %.4f", first, step, settings["steps"], loss)

        if log and part.is_file():
            log.info("shot at frame %d: going on from its checkpoint", first)
        kept.mkdir(parents=True, exist_ok=True)
        net, losses = train_shot(pairs, settings, pick_device(device), derived["alpha"], said, part)
        state = {k: v.cpu() for k, v in net.state_dict().items()}
        save_torch({"net": state, "losses": torch.tensor(losses, dtype=torch.float64)}, done)
        part.unlink(missing_ok=True)
        if log:
            log.info("shot at frame %d: %d keyframes, loss %.4f -> %.4f", first, len(keys), losses[0], losses[-1])
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(done, out)
    return trained


def gather(derived: dict, settings: dict, out: dict) -> str:
    """The render's model (every shot's network, None for a shot without keyframes) into ``out['model']``
    and the losses (shot, step, loss) into ``out['loss']``, from the shots' files beside the model."""
    import torch

    from paintflow.files import save_torch

    shots, rows = [], []
    for first, stop, keys in derived["shots"]:
        state = torch.load(shot_file(Path(out["model"]).parent, first), weights_only=True) if keys else None
        shots.append([first, stop, state and state["net"]])
        rows += [(first, i + 1, round(v, 6)) for i, v in enumerate(state["losses"].tolist())] if keys else []
    model = {"channels": settings["channels"], "levels": settings["levels"], "alpha": derived["alpha"], "shots": shots}
    save_torch(model, out["model"])
    with open(out["loss"], "w", newline="") as fh:
        csv.writer(fh).writerows([("shot", "step", "loss"), *rows])
    return f"{sum(1 for *_, k in derived['shots'] if k)} shots, last loss {rows[-1][2] if rows else '-'}"


def train(derived: dict, frames: dict, settings: dict, out: dict, device="auto", threads: int = 2, log=None) -> str:
    """Every shot's network (:func:`train_one`, in turn) and the render's model (:func:`gather`) into ``out``
    (model, loss) — what the workflow's jobs do, one per shot then one gathering, in one call. ``frames``:
    {t: source frame file} of every shot's keyframes and the frames near them."""
    import torch

    torch.set_num_threads(threads)
    Path(out["model"]).parent.mkdir(parents=True, exist_ok=True)
    folder = Path(out["model"]).parent
    shots = [shot for shot in derived["shots"] if shot[2]]
    trained = sum(train_one(shot, derived, frames, settings, shot_file(folder, shot[0]), device, log) for shot in shots)
    return f"{trained} shots trained, {len(shots) - trained} kept; " + gather(derived, settings, out)


class Painter:
    """Paints frame t with the network of its shot (a shot without one: as filmed). Near a keyframe the
    artist's own strokes are carried in: out = N(S_t) + Σ_k w_k·warp(K_k − N(S_k), flow t→k) / max(1, Σ w),
    w_k = 1 − |t − k| / reach for each keyframe k of the shot within reach — exactly the keyframe on its own
    frame, fading into the network's painting over ``reach`` frames (what the network could not reproduce is
    the artist's hand), and between two keyframes nearer than that, a mix of both (no pop at the midpoint)."""

    def __init__(self, model, device="auto", keys: dict | None = None, reach: int = 0):
        """``model``: the training's model file, or what it holds ({channels, levels, alpha, shots});
        ``keys``: {k: (source frame or its file, keyframe file)} of the keyframes whose strokes are carried."""
        import torch

        from paintflow.devices import pick_device

        data = model if isinstance(model, dict) else torch.load(model, weights_only=True)
        self.device, self.alpha, self.nets = pick_device(device), data["alpha"], []
        for first, stop, state in data["shots"]:
            net = None
            if state is not None:
                net = build(data["channels"], 4 if self.alpha else 3, data.get("levels", 2))
                net.load_state_dict(state)
                net = net.to(self.device).eval()
            self.nets.append((range(first, stop), net))
        self.keys, self.reach, self._residuals = keys or {}, reach, {}

    def smoothing(self, t: int) -> float:
        """How much the render's smoothing may hold frame t to the previous output (the painter's hook, read
        by the chunk): not at all on a keyframe (as painted), fully elsewhere. (Fading it in over ``reach``
        frames instead, so that smoothed frames lead into a keyframe, was measured and not kept: on the test
        clip 2.3x the warping error, 0.0050 against 0.0022 — most frames are near a keyframe there.)"""
        return 0.0 if self.reach > 0 and t in self.keys else 1.0

    def _net(self, t: int):
        return next(((shot, n) for shot, n in self.nets if t in shot), (None, None))

    def _run(self, net, rgb: np.ndarray) -> np.ndarray:
        import torch

        with torch.no_grad():
            return net(_tensor(rgb).to(self.device))[0].permute(1, 2, 0).cpu().numpy()

    def _residual(self, k: int, net) -> tuple[np.ndarray, np.ndarray]:
        """(the keyframe's source frame, what the network misses of the keyframe), once per keyframe."""
        if k not in self._residuals:
            source, key = keyframe_pair(*self.keys[k], self.alpha)
            self._residuals[k] = (source, key.astype(np.float32) / 255.0 - self._run(net, source))
        return self._residuals[k]

    def __call__(self, t: int, rgb: np.ndarray) -> np.ndarray:
        shot, net = self._net(t)
        if net is None:
            return rgb
        out = self._run(net, rgb)
        near = {k: 1 - abs(k - t) / self.reach for k in self.keys if k in shot and abs(k - t) < self.reach}
        if t in near:  # a keyframe: exactly as painted
            out = out + self._residual(t, net)[1]
        elif near:  # each keyframe within reach by its weight, their sum at most 1: no pop between two
            from paintflow.flow import compute_flow
            from paintflow.warp import warp

            total = max(1.0, sum(near.values()))
            for k, w in sorted(near.items()):
                source, residual = self._residual(k, net)
                out = out + w / total * warp(residual, compute_flow(rgb, source, "dis"))
        if self.alpha:
            a = np.clip(out[..., 3:], 0, 1)
            out = a * out[..., :3] + (1 - a) * rgb.astype(np.float32) / 255.0
        return np.rint(np.clip(out, 0, 1) * 255).astype(np.uint8)
