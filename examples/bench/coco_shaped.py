"""Writes synthetic COCO-shaped embeddings for timing `gaplab measure` against a baseline.

5,000 "images" and 25,000 "captions" (five per image) in d = 512, with a caption->image index, as
CLIP embeds COCO's 5k split: each modality sits in a cone around its own mean direction (the
modality gap), and a caption is its image's direction plus noise. Only the shapes and a plausible
geometry matter here; the numbers are not CLIP's.

    python3 examples/bench/coco_shaped.py OUT_DIR      # writes img.npy, txt.npy, pairs.npy
"""
import os
import sys

import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else "."
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)
n_img, per_img, d = 5000, 5, 512
content = rng.standard_normal((n_img, d))
mean_img = rng.standard_normal(d)
mean_txt = rng.standard_normal(d)
img = content + 2.0 * mean_img
pairs = np.repeat(np.arange(n_img), per_img)
txt = content[pairs] + 0.8 * rng.standard_normal((n_img * per_img, d)) + 2.0 * mean_txt
np.save(os.path.join(out, "img.npy"), img.astype(np.float32))
np.save(os.path.join(out, "txt.npy"), txt.astype(np.float32))
np.save(os.path.join(out, "pairs.npy"), pairs.astype(np.int64))
print(f"wrote {out}/img.npy {img.shape}, txt.npy {txt.shape}, pairs.npy {pairs.shape}")
