"""Person segmentation with mediapipe's selfie segmentation, run in the interpreter that has mediapipe.

    python person_worker.py JOBS.json

mediapipe 0.10.21 needs numpy < 2, so it lives in its own environment (`.venv-person`, or the conda env
envs/person.yaml); this script imports nothing of paintflow. JOBS.json: {"model": 0 (general) or 1
(landscape), "frames": [[input.png, output.png], ...]}; each output is the soft mask (0-255 PNG),
written atomically. The model files ship inside the mediapipe wheel: nothing is downloaded.
"""

import json
import os
import sys

import cv2
import mediapipe as mp
import numpy as np


def main(jobs_file: str) -> None:
    with open(jobs_file) as fh:
        jobs = json.load(fh)
    with mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=int(jobs["model"])) as segmenter:
        for src, dst in jobs["frames"]:
            bgr = cv2.imread(src, cv2.IMREAD_COLOR)
            if bgr is None:
                raise SystemExit(f"not a readable image: {src}")
            mask = segmenter.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)).segmentation_mask
            tmp = f"{dst}.part-{os.getpid()}.png"
            cv2.imwrite(tmp, np.clip(np.rint(mask * 255), 0, 255).astype(np.uint8))
            os.replace(tmp, dst)


if __name__ == "__main__":
    main(sys.argv[1])
