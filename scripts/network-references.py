#!/usr/bin/env python3
"""Reference numbers for the network cases (cases/networks/), computed independently of adverify.

    python3 scripts/network-references.py FILE [ID]   prints, for each inline dense network case,
                                                      the outputs, the loss, every layer's values
                                                      and adjoints, and the gradient, to 11 significant digits (one fewer than the tools agree to, so a printed literal is never on the edge of its interval)

The network is evaluated in mpmath at 50 digits from the case's YAML (dense layers, the
activations and the losses of docs/case-format.md; inline parameters and data only), and every
derivative is a high-precision numerical derivative (mpmath's diff) of that evaluation: no
automatic differentiation, nothing shared with the Swift code. Parameters and data are taken at
their binary64 values, the point the tool evaluates.

Needs PyYAML and mpmath. Run from the repository root.
"""
import sys

import mpmath as mp
import yaml

mp.mp.dps = 50


def activation(kind, options, z):
    if kind == "identity":
        return z
    if kind == "sigmoid":
        return 1 / (1 + mp.exp(-z))
    if kind == "tanh":
        return mp.tanh(z)
    if kind == "relu":
        return z if z >= 0 else mp.mpf(0)
    if kind == "softplus":
        return mp.log(1 + mp.exp(z))
    if kind == "leaky_relu":
        return z if z >= 0 else mp.mpf(options.get("a", 0.01)) * z
    if kind == "elu":
        return z if z >= 0 else mp.mpf(options.get("a", 1)) * (mp.exp(z) - 1)
    raise SystemExit(f"layer {kind}: this script handles dense networks only")


def layers_of(case):
    out = []
    for k, layer in enumerate(case["network"]["layers"]):
        if isinstance(layer, str):
            kind, options = layer, {}
        else:
            (kind, options), = layer.items()
            options = options or {}
        name = options.get("name", kind.replace("_", "") + str(k + 1))
        out.append((kind, options, name))
    return out


def forward(case, params, x, poke=None):
    """Layer outputs for one sample; poke = (layer, index, delta) adds delta to one output."""
    values = []
    h = [mp.mpf(v) for v in x]
    dense = 0
    for k, (kind, options, name) in enumerate(layers_of(case)):
        if kind == "dense":
            dense += 1
            W = params[f"W{dense}"]
            b = params.get(f"b{dense}")
            h = [mp.fsum(W[o][i] * h[i] for i in range(len(h))) + (b[o] if b else 0) for o in range(len(W))]
        elif kind == "flatten":
            h = list(h)
        else:
            h = [activation(kind, options, z) for z in h]
        if poke and poke[0] == k:
            h = list(h)
            h[poke[1]] += poke[2]
        values.append(h)
    return values


def loss_of(case, outputs, data):
    loss = case["network"].get("loss")
    n = len(outputs)
    if loss is None:
        return outputs[0][0]
    if loss == "squared_error":
        y = data["y"]
        return mp.fsum(mp.fsum((o - mp.mpf(t)) ** 2 / 2 for o, t in zip(out, yy)) for out, yy in zip(outputs, y)) / n
    if loss in ("multiclass_logistic", "softmax_cross_entropy"):
        total = mp.fsum(mp.log(mp.fsum(mp.exp(f) for f in out)) - out[label] for out, label in zip(outputs, data["labels"]))
        return total if loss == "multiclass_logistic" else total / n
    if loss == "bce_with_logits":
        y = data["y"]
        terms = [mp.log(1 + mp.exp(z)) - z * mp.mpf(t) for out, yy in zip(outputs, y) for z, t in zip(out, yy)]
        return mp.fsum(terms) / len(terms)
    raise SystemExit(f"loss {loss}: not handled")


def objective(case, params, data, poke=None):
    outputs = []
    for n, x in enumerate(data["x"]):
        p = (poke[1], poke[2], poke[3]) if poke and poke[0] == n else None
        outputs.append(forward(case, params, x, p)[-1])
    return loss_of(case, outputs, data)


def entries(params):
    for name, tensor in params.items():
        if name == "seed":
            continue
        if isinstance(tensor[0], list):
            for r, row in enumerate(tensor):
                for c in range(len(row)):
                    yield f"{name}_{r + 1}_{c + 1}", (name, r, c)
        else:
            for r in range(len(tensor)):
                yield f"{name}_{r + 1}", (name, r, None)


def show(x):
    return mp.nstr(x, 11, min_fixed=-5, max_fixed=5) if x != 0 else "0"


def report(case):
    raw = case["parameters"]
    params = {k: ([[mp.mpf(float(v)) for v in row] for row in t] if isinstance(t[0], list) else [mp.mpf(float(v)) for v in t])
              for k, t in raw.items() if k != "seed"}
    data = case["data"]
    print(f"# {case['id']}")
    layers = layers_of(case)
    for n, x in enumerate(data["x"]):
        values = forward(case, params, x)
        for k, (_, _, name) in enumerate(layers):
            print(f"values {name}_{n + 1}: " + ", ".join(show(v) for v in values[k]))
    print("L:", show(objective(case, params, data)))
    # Adjoints of every layer output: d L / d (output) by perturbing that output.
    for n, x in enumerate(data["x"]):
        values = forward(case, params, x)
        for k, (_, _, name) in enumerate(layers):
            adj = [mp.diff(lambda t: objective(case, params, data, (n, k, i, t)), 0) for i in range(len(values[k]))]
            print(f"adjoints {name}_{n + 1}: " + ", ".join(show(v) for v in adj))
    for label, (name, r, c) in entries(params):
        def f(t, name=name, r=r, c=c):
            p = {k: [list(row) if isinstance(row, list) else row for row in v] for k, v in params.items()}
            if c is None:
                p[name][r] = t
            else:
                p[name][r][c] = t
            return objective(case, p, data)
        point = params[name][r] if c is None else params[name][r][c]
        print(f"gradient {label}: {show(mp.diff(f, point))}")


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    with open(sys.argv[1]) as f:
        cases = [c for c in yaml.safe_load_all(f) if c]
    for case in cases:
        if len(sys.argv) > 2 and case["id"] != sys.argv[2]:
            continue
        if case.get("kind") != "network" or "data" not in case or "x" not in case["data"] or "seed" in case.get("parameters", {}):
            continue
        report(case)


if __name__ == "__main__":
    main()
