"""A safe file format for fitted models: weights and plain values, no code.

``torch.save`` writes a dict of tensors and plain Python values; loading uses
``torch.load(weights_only=True)``, which refuses any pickled object other than
tensors and containers of plain values, so opening a file can never run code.
A SHA-256 digest over the content detects files modified after saving.

:func:`pack` and :func:`unpack` turn a model and its optimiser into plain CPU
values and back; ``save``/``load`` and pickling both use them.

The file format version is 4 (3 lacked the latent dimensions' activity).
Versions 1 to 3 were written only by development versions before the first
release and are refused with a message that says to refit.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import hashlib
import os

import numpy as np
import torch

from skvae.core._config import VAEConfig
from skvae.core._model import VAE
from skvae.core._train_state import make_optimizer
from skvae.core._utils import make_generator, warn

FORMAT = "skvae-model"
FORMAT_VERSION = 4


def tree_to_cpu(obj):
    """Nested dicts, lists and tuples with every tensor detached on the CPU."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu()
    if isinstance(obj, dict):
        return {k: tree_to_cpu(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return type(obj)(tree_to_cpu(v) for v in obj)
    return obj


def to_plain(value):
    """numpy values as plain Python ones (the safe format stores no objects)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    return value


def pack(module, optimizer):
    """A model and its optimiser as plain values and CPU tensors."""
    return {
        "config": module.config.to_dict(),
        "state_dict": tree_to_cpu(module.state_dict()),
        "optimizer": tree_to_cpu(optimizer.state_dict()),
    }


def unpack(packed, *, device, solver, learning_rate):
    """Rebuild ``(module, optimizer)`` from :func:`pack`'s output on ``device``."""
    config = dict(packed["config"])
    config["hidden_layer_sizes"] = tuple(config["hidden_layer_sizes"])
    state_dict = packed["state_dict"]
    dtype = next(iter(state_dict.values())).dtype
    # the weights are overwritten: a throwaway generator keeps torch's global
    # one untouched
    module = VAE(VAEConfig(**config), generator=make_generator(0, "cpu"), dtype=dtype)
    module.load_state_dict(state_dict)
    module = module.to(device).eval()
    optimizer = make_optimizer(module, solver, learning_rate)
    optimizer.load_state_dict(packed["optimizer"])
    return module, optimizer


def _digest(obj, h=None):
    """A SHA-256 over nested dicts/lists of tensors and plain values."""
    h = hashlib.sha256() if h is None else h
    if isinstance(obj, dict):
        h.update(b"{")
        for key in sorted(obj, key=str):
            h.update(repr(key).encode())
            _digest(obj[key], h)
        h.update(b"}")
    elif isinstance(obj, list | tuple):
        h.update(b"[")
        for item in obj:
            _digest(item, h)
        h.update(b"]")
    elif isinstance(obj, torch.Tensor):
        t = obj.detach().cpu().contiguous()
        h.update(f"tensor{t.dtype}{tuple(t.shape)}".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    else:
        h.update(f"{type(obj).__name__}:{obj!r}".encode())
    return h


def digest(payload):
    """Hex SHA-256 of ``payload`` (a dict of tensors and plain values)."""
    return _digest(payload).hexdigest()


def write(path, payload, version):
    """Write ``payload`` with the format header and its digest to ``path``."""
    content = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "skvae_version": version,
        "torch_version": str(torch.__version__),
        **payload,
    }
    content["sha256"] = digest(content)
    tmp = f"{os.fspath(path)}.tmp"
    torch.save(content, tmp)
    os.replace(tmp, path)  # never leave a half-written model file behind


def read(path, version):
    """Read and verify a file written by :func:`write`; return its payload."""
    try:
        content = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:
        lines = str(exc).splitlines() or [""]
        reason = next((ln for ln in lines if "Unpickler error" in ln), lines[0])
        raise ValueError(
            f"{os.fspath(path)!r} is not an skvae model file, or it was tampered "
            f"with: it cannot be loaded safely ({type(exc).__name__}: "
            f"{reason.strip()})"
        ) from exc
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise ValueError(
            f"{os.fspath(path)!r} is not an skvae model file (no skvae header). "
            "Files made with joblib or pickle load with joblib.load, which runs "
            "code: only do that for files you trust."
        )
    saved_version = content.get("skvae_version", "unknown")
    saved_format = content.get("format_version", 0)
    if saved_format > FORMAT_VERSION:
        raise ValueError(
            f"{os.fspath(path)!r} was written by skvae {saved_version} in file "
            f"format {saved_format}; this skvae {version} reads format "
            f"{FORMAT_VERSION}. Upgrade skvae to load it."
        )
    if saved_format < FORMAT_VERSION:
        raise ValueError(
            f"{os.fspath(path)!r} was written in file format {saved_format} by a "
            f"development version of skvae ({saved_version}) before its first "
            f"release; this skvae {version} reads format {FORMAT_VERSION}. Refit "
            "the model and save it again."
        )
    expected = content.pop("sha256", None)
    if expected != digest(content):
        raise ValueError(
            f"{os.fspath(path)!r} failed its integrity check: its content does not "
            "match the SHA-256 written when it was saved (modified or corrupted)."
        )
    if saved_version != version:
        warn(
            f"This model was saved by skvae {saved_version} and is loaded by "
            f"skvae {version}; check its results before relying on them."
        )
    return content
