"""Pictures brought to a size."""

from __future__ import annotations

import cv2
import numpy as np


def exactly(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """A picture at exactly ``width``×``height`` (area when it shrinks, cubic when it grows; as it is when
    it has that size): a painted keyframe at its frame's size."""
    if image.shape[:2] == (height, width):
        return image
    return cv2.resize(
        image, (width, height), interpolation=cv2.INTER_AREA if image.shape[1] > width else cv2.INTER_CUBIC
    )


def cover(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resize a picture to cover ``width``×``height`` (aspect kept, centre crop): a keyed render's
    background, the still a zoom or layer sheet starts from."""
    h, w = rgb.shape[:2]
    f = max(width / w, height / h)
    scaled = cv2.resize(
        rgb,
        (max(width, round(w * f)), max(height, round(h * f))),
        interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC,
    )
    y0, x0 = (scaled.shape[0] - height) // 2, (scaled.shape[1] - width) // 2
    return np.ascontiguousarray(scaled[y0 : y0 + height, x0 : x0 + width])
