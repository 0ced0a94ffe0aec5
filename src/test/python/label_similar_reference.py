"""Reference ranking for dev.saestream.label.SimilarFeatures, computed with NumPy.

Run from the repository root: python3 src/test/python/label_similar_reference.py
Writes src/test/resources/label/decoder.npy (a [64, 16] float32 decoder with a few near-duplicate
rows and one zero row) and similar_top5.json (each feature's 5 most cosine-similar others, ties by
index), which SimilarFeaturesTest reads.
"""
import json

import numpy as np

rng = np.random.default_rng(7)
d_sae, d_in, k = 64, 16, 5
w = rng.standard_normal((d_sae, d_in)).astype(np.float32)
w[10] = w[3] * 2.5 + 0.01 * rng.standard_normal(d_in).astype(np.float32)  # nearly parallel to 3
w[20] = -w[3]                                                              # opposite of 3
w[30] = 0                                                                  # a dead feature
np.save("src/test/resources/label/decoder.npy", w)

x = w.astype(np.float64)
norms = np.linalg.norm(x, axis=1)
safe = np.where(norms == 0, 1, norms)
cos = (x @ x.T) / np.outer(safe, safe)
cos[norms == 0, :] = 0
cos[:, norms == 0] = 0
top = {}
for f in range(d_sae):
    order = sorted((i for i in range(d_sae) if i != f), key=lambda i: (-cos[f, i], i))
    top[str(f)] = {"features": order[:k], "cosines": [float(cos[f, i]) for i in order[:k]]}
with open("src/test/resources/label/similar_top5.json", "w") as fh:
    json.dump(top, fh, indent=0)
    fh.write("\n")
