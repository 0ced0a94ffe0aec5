#!/usr/bin/env python3
"""Writes the SAE test fixtures under src/test/resources/sae/ with NumPy alone.

For every architecture (standard, topk, jumprelu, gated), normalisation mode (none,
expected_average_only_in, constant_norm_rescale, layer_norm) and stored dtype (F32, F16, BF16)
it writes a SAELens directory (cfg.json + sae_weights.safetensors), an input x.npy, and the
expected outputs computed in float64 from the stored (rounded) weights, following SAELens's
inference SAEs: indices.npy / values.npy (active features sorted by value, -1 / 0 padded) and
recon.npy (decode(encode(x))). F16 directories use the pre-6 flat cfg.json schema; BF16 ones
store torch.nn.Linear-style names and orientations (encoder.weight is [d_sae, d_in]).

Inputs are resampled until every discrete decision (top-k boundary, threshold, gate) has a clear
margin, so float32 rounding in the code under test cannot flip one.

Run from the repository root: python3 src/test/python/sae_fixtures.py
"""
import json
import struct
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "resources" / "sae"
D_IN, D_SAE, K, ROWS = 16, 40, 5, 12
MARGIN = 1e-3
ARCHS = ["standard", "topk", "jumprelu", "gated"]
NORMS = ["none", "expected_average_only_in", "constant_norm_rescale", "layer_norm"]
DTYPES = ["F32", "F16", "BF16"]


def bf16_bits(a):
    """float32 -> bfloat16 bits, rounding to nearest even (NumPy has no bfloat16)."""
    u = np.asarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def stored(a, dtype):
    """The array as stored (raw little-endian bytes) and as read back (float64)."""
    a = np.ascontiguousarray(a, dtype=np.float32)
    if dtype == "F32":
        return a.astype("<f4").tobytes(), a.astype(np.float64)
    if dtype == "F16":
        h = a.astype("<f2")
        return h.tobytes(), h.astype(np.float64)
    bits = bf16_bits(a)
    back = (bits.astype(np.uint32) << 16).view(np.float32)
    return bits.astype("<u2").tobytes(), back.astype(np.float64)


def write_safetensors(path, tensors, dtype):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, arr in tensors.items():
        raw, _ = stored(arr, dtype)
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    path.write_bytes(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def normalise(x, mode):
    """SAELens's run-time normalisation; returns the normalised input and the function undoing it."""
    if mode == "constant_norm_rescale":
        c = np.sqrt(D_IN) / np.linalg.norm(x, axis=-1, keepdims=True)
        return x * c, lambda y: y / c
    if mode == "layer_norm":
        mu = x.mean(axis=-1, keepdims=True)
        xc = x - mu
        std = xc.std(axis=-1, ddof=1, keepdims=True)  # torch.std is unbiased
        return xc / (std + 1e-5), lambda y: y * std + mu
    return x, lambda y: y  # none; expected_average_only_in is identity at run time


def forward(p, arch, norm, apply_b_dec, rescale, x):
    """(dense activations, reconstruction, margin of the closest discrete decision)."""
    xin, undo = normalise(x, norm)
    if apply_b_dec:
        xin = xin - p["b_dec"]
    dec_norm = np.linalg.norm(p["W_dec"], axis=1)
    margins = []
    if arch == "gated":
        gate = xin @ p["W_enc"] + p["b_gate"]
        mag = xin @ (p["W_enc"] * np.exp(p["r_mag"])) + p["b_mag"]
        acts = (gate > 0) * np.maximum(mag, 0)
        margins += [np.abs(gate).min(), np.abs(mag).min()]
    else:
        pre = xin @ p["W_enc"] + p["b_enc"]
        if arch == "standard":
            acts = np.maximum(pre, 0)
            margins.append(np.abs(pre).min())
        elif arch == "jumprelu":
            thr = np.maximum(p["threshold"], 0)
            acts = np.maximum(pre, 0) * (pre > thr)
            margins += [np.abs(pre - thr).min(), np.abs(pre).min()]
        else:
            if rescale:
                pre = pre * dec_norm
            order = np.argsort(-pre, axis=-1, kind="stable")
            acts = np.zeros_like(pre)
            rows = np.arange(len(pre))[:, None]
            top = order[:, :K]
            acts[rows, top] = np.maximum(pre[rows, top], 0)
            s = np.take_along_axis(pre, order, axis=-1)
            margins += [(s[:, K - 1] - s[:, K]).min(), np.abs(pre).min()]
    a = acts / dec_norm if (arch == "topk" and rescale) else acts
    recon = undo(a @ p["W_dec"] + p["b_dec"])
    return acts, recon, min(margins)


def metrics(x, acts, recon):
    """SAELens / SAEBench reconstruction metrics of one fixture, as saestream's evaluation reports them."""
    fired = (acts > 0).sum(axis=0)
    density = fired / len(x)
    alive = density[fired > 0]
    hist = np.zeros(14, dtype=int)
    for b in np.clip(np.floor((np.log10(alive) + 7.0) / 0.5).astype(int), 0, 13):
        hist[b] += 1
    cos = (x * recon).sum(-1) / np.sqrt((x * x).sum(-1) * (recon * recon).sum(-1))
    return {"tokens": len(x), "l0": float((acts > 0).sum(-1).mean()),
            "fvu": float(((x - recon) ** 2).sum() / ((x - x.mean(0)) ** 2).sum()),
            "cosine": float(cos.mean()),
            "relative_reconstruction_bias": float((recon * recon).sum() / (x * recon).sum()),
            "dead_fraction": float((fired == 0).mean()), "dense_fraction": float((density > 0.1).mean()),
            "density_histogram": hist.tolist()}


def params(rng, arch):
    w_dec = rng.normal(size=(D_SAE, D_IN)) * rng.uniform(0.5, 1.5, size=(D_SAE, 1)) / np.sqrt(D_IN)
    p = {"W_enc": (w_dec.T + 0.3 * rng.normal(size=(D_IN, D_SAE)) / np.sqrt(D_IN)), "W_dec": w_dec,
         "b_dec": 0.2 * rng.normal(size=D_IN)}
    if arch == "gated":
        p["b_gate"] = 0.3 * rng.normal(size=D_SAE)
        p["b_mag"] = 0.3 * rng.normal(size=D_SAE)
        p["r_mag"] = 0.2 * rng.normal(size=D_SAE)
    else:
        p["b_enc"] = 0.3 * rng.normal(size=D_SAE) - (0.2 if arch != "topk" else 0)
    if arch == "jumprelu":
        p["threshold"] = np.abs(0.3 * rng.normal(size=D_SAE))
        p["threshold"][:3] = -0.1  # a negative threshold acts as zero
    return p


def cfg_json(arch, norm, dtype, apply_b_dec, rescale):
    hook = "blocks.3.hook_resid_post"
    if dtype == "F16":  # the pre-6 flat schema
        cfg = {"d_in": D_IN, "d_sae": D_SAE, "dtype": "torch.float16", "hook_point": hook,
               "model_name": "fixture-model", "context_size": 128, "apply_b_dec_to_input": apply_b_dec,
               "normalize_activations": norm, "device": "cpu", "some_unknown_key": [1, 2],
               "sae_lens_training_version": "3.1.0"}
        if arch == "topk":
            cfg["activation_fn_str"] = "topk"
            cfg["activation_fn_kwargs"] = {"k": K}
        else:
            cfg["activation_fn_str"] = "relu"
            if arch != "standard":
                cfg["architecture"] = arch
        return cfg
    cfg = {"architecture": arch, "d_in": D_IN, "d_sae": D_SAE,
           "dtype": "bfloat16" if dtype == "BF16" else "float32", "device": "cpu",
           "apply_b_dec_to_input": apply_b_dec, "normalize_activations": norm, "reshape_activations": "none",
           "an_unknown_key": {"nested": True},
           "metadata": {"sae_lens_version": "6.5.1", "model_name": "fixture-model", "hook_name": hook,
                        "context_size": 128, "dataset_path": "fixture/dataset", "prepend_bos": True}}
    if arch == "topk":
        cfg["k"] = K
        cfg["rescale_acts_by_decoder_norm"] = rescale
    return cfg


def main():
    seed = 0
    for arch in ARCHS:
        for norm in NORMS:
            for dtype in DTYPES:
                apply_b_dec = not (arch == "jumprelu" and norm == "none")
                rescale = arch == "topk" and dtype != "F16"
                while True:
                    seed += 1
                    rng = np.random.default_rng(seed)
                    p = params(rng, arch)
                    read = {n: stored(a, dtype)[1].reshape(a.shape) for n, a in p.items()}
                    x = rng.normal(size=(ROWS, D_IN)).astype(np.float32) * 2 + 0.5
                    acts, recon, margin = forward(read, arch, norm, apply_b_dec, rescale, x.astype(np.float64))
                    active = (acts > 0).sum(axis=1)
                    if margin > MARGIN and active.min() >= 1:
                        break
                d = OUT / f"{arch}-{norm}-{dtype.lower()}"
                d.mkdir(parents=True, exist_ok=True)
                (d / "cfg.json").write_text(json.dumps(cfg_json(arch, norm, dtype, apply_b_dec, rescale), indent=1))
                tensors = dict(p)
                if dtype == "BF16":  # torch.nn.Linear names and orientations
                    tensors = {k: v for k, v in p.items() if k not in ("W_enc", "W_dec", "b_enc", "b_dec")}
                    tensors["encoder.weight"] = p["W_enc"].T
                    tensors["decoder.weight"] = p["W_dec"].T
                    tensors["decoder.bias"] = p["b_dec"]
                    if "b_enc" in p:
                        tensors["encoder.bias"] = p["b_enc"]
                write_safetensors(d / "sae_weights.safetensors", tensors, dtype)
                k_max = int(active.max())
                idx = np.full((ROWS, k_max), -1, dtype=np.int32)
                val = np.zeros((ROWS, k_max), dtype=np.float32)
                for r in range(ROWS):
                    nz = np.nonzero(acts[r] > 0)[0]
                    order = nz[np.lexsort((nz, -acts[r, nz]))]
                    idx[r, :len(order)] = order
                    val[r, :len(order)] = acts[r, order]
                np.save(d / "x.npy", x)
                np.save(d / "indices.npy", idx)
                np.save(d / "values.npy", val)
                np.save(d / "dense.npy", acts.astype(np.float32))
                np.save(d / "recon.npy", recon.astype(np.float32))
                (d / "eval.json").write_text(json.dumps(metrics(x.astype(np.float64), acts, recon), indent=1))
    print(f"wrote {len(ARCHS) * len(NORMS) * len(DTYPES)} fixtures under {OUT}")


if __name__ == "__main__":
    main()
