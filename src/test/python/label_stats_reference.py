"""Reference values for dev.saestream.label.Stats, computed independently in plain Python.

Run from the repository root: python3 src/test/python/label_stats_reference.py
It writes src/test/resources/label/stats_reference.json, which StatsTest reads. Pure Python (math
and random only), so anyone can check it without NumPy or SciPy.
"""
import json
import math
import random
from statistics import NormalDist

Z = NormalDist().inv_cdf(0.975)


def clip(x, lo, hi):
    return max(lo, min(hi, x))


def wilson(x, n):
    if n == 0:
        return [0.0, 1.0]
    p = x / n
    denom = 1 + Z * Z / n
    centre = (p + Z * Z / (2 * n)) / denom
    half = Z / denom * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return [clip(centre - half, 0, 1), clip(centre + half, 0, 1)]


def confusion(tp, fp, tn, fn):
    pos, neg = tp + fn, tn + fp
    tpr = tp / pos if pos else 0.0
    tnr = tn / neg if neg else 0.0
    ba = (tpr + tnr) / 2
    # Agresti-Caffo style: each rate as (x + 1) / (n + 2)
    p1, p2 = (tp + 1) / (pos + 2), (tn + 1) / (neg + 2)
    c = (p1 + p2) / 2
    se = math.sqrt(p1 * (1 - p1) / (pos + 2) + p2 * (1 - p2) / (neg + 2)) / 2
    f1 = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else 0.0
    # delta method on the multinomial, half a count added to each cell for the variance
    a, bc = tp + 0.5, fp + fn + 1.0
    var = 4 * a * bc * (a + bc) / (2 * a + bc) ** 4
    f1se = math.sqrt(var)
    return {
        "tp": tp, "fp": fp, "tn": tn, "fn": fn,
        "balancedAccuracy": ba,
        "balancedAccuracyCi": [clip(c - Z * se, 0, 1), clip(c + Z * se, 0, 1)],
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tpr,
        "f1": f1,
        "f1Ci": [clip(f1 - Z * f1se, 0, 1), clip(f1 + Z * f1se, 0, 1)],
    }


def auc_delong(pos, neg):
    def k(p, q):
        return 1.0 if p > q else 0.5 if p == q else 0.0
    n1, n0 = len(pos), len(neg)
    v10 = [sum(k(p, q) for q in neg) / n0 for p in pos]
    v01 = [sum(k(p, q) for p in pos) / n1 for q in neg]
    a = sum(v10) / n1

    def svar(v):
        m = sum(v) / len(v)
        return sum((x - m) ** 2 for x in v) / (len(v) - 1)
    se = math.sqrt(svar(v10) / n1 + svar(v01) / n0)
    return {"positives": pos, "negatives": neg, "auc": a,
            "ci": [clip(a - Z * se, 0, 1), clip(a + Z * se, 0, 1)]}


def pearson(x, y):
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy)


def fisher(r, n):
    z = math.atanh(r)
    se = 1 / math.sqrt(n - 3)
    return [math.tanh(z - Z * se), math.tanh(z + Z * se)]


def main():
    rng = random.Random(20240611)
    wilson_cases = [[x, n, wilson(x, n)] for x, n in [(8, 10), (0, 10), (10, 10), (37, 50), (1, 3), (50, 100)]]
    confusions = [confusion(*c) for c in [(40, 5, 45, 10), (50, 0, 50, 0), (0, 0, 50, 50), (3, 7, 20, 2),
                                          (25, 25, 25, 25), (12, 3, 80, 5)]]
    aucs = [auc_delong([0.9, 0.8, 0.7, 0.6], [0.65, 0.5, 0.4]),
            auc_delong([1, 2, 2, 3], [2, 1, 0]),
            auc_delong([round(rng.gauss(0.6, 0.2), 6) for _ in range(30)],
                       [round(rng.gauss(0.4, 0.2), 6) for _ in range(40)])]
    xs = [round(rng.gauss(0, 1), 6) for _ in range(100)]
    ys = [round(0.5 * x + rng.gauss(0, 1), 6) for x in xs]
    pearsons = []
    for x, y in [([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]), (xs, ys)]:
        r = pearson(x, y)
        pearsons.append({"x": x, "y": y, "r": r})
    fishers = [[r, n, fisher(r, n)] for r, n in [(0.7745966692414834, 5), (0.5, 100), (-0.3, 40), (0.0, 20)]]
    out = {"z": Z, "wilson": wilson_cases, "confusion": confusions, "auc": aucs, "pearson": pearsons,
           "fisher": fishers}
    with open("src/test/resources/label/stats_reference.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
