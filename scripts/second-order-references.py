#!/usr/bin/env python3
"""Second-derivative reference cases: writes cases/second-order/primitives.yaml, textbook.yaml
and models.yaml (overwriting them). Run from the repository root (needs sympy and mpmath):

    python3 scripts/second-order-references.py

Every expected Hessian entry is sympy's symbolic second derivative of the case's expression,
evaluated at 40 digits at the binary64 values of the inputs and of the numeric constants (the
point adverify evaluates). Literals are correctly rounded to 12 significant digits, or a few more
where 12 would leave less than 0.05 units of the last digit between the value and the edge of the
as-printed interval; exact integers are integer literals (checked exactly). An hvp block's values
are the Hessian times a non-unit direction drawn from a random.Random seeded by the case id, so
the output is deterministic.

Self-checks, before any file is written (a failure stops the script, nothing written):
- every Hessian entry against mpmath.diff's second derivative of the expression at 50 digits,
  to 1e-20 relative;
- the models' closed forms (logistic regression: X^T diag(s(1 - s)) X; softmax cross-entropy:
  diag(p) - p p^T), which give their expected numbers, against sympy's Hessian to 30 digits;
- every quoted closed form against the same numbers to 30 digits, and the numbers printed in a
  lecture (Peharz's value and df/dx) against sympy to their printed digits.
"""
from decimal import Decimal
import json
import os
import random
import re
import sys
import textwrap

import mpmath as mp
import sympy as sp

mp.mp.dps = 50
OUT = "cases/second-order"
SCRIPT = "scripts/second-order-references.py"
REF = f"{SCRIPT} (sympy's symbolic second derivatives at 40 digits, checked against mpmath.diff at 50 digits)"

# The expression language of docs/case-format.md in sympy; kinks take the x >= 0 branch, and a
# tie of max or min goes to the first argument.
LANG = {
    "exp": sp.exp, "log": sp.log, "ln": sp.log, "sqrt": sp.sqrt, "sin": sp.sin, "cos": sp.cos,
    "tan": sp.tan, "asin": sp.asin, "acos": sp.acos, "atan": sp.atan, "sinh": sp.sinh,
    "cosh": sp.cosh, "tanh": sp.tanh, "pow": sp.Pow, "pi": sp.pi, "Rational": sp.Rational,
    "sigmoid": lambda x: 1 / (1 + sp.exp(-x)),
    "softplus": lambda x: sp.log(1 + sp.exp(x)),
    "relu": lambda x: sp.Piecewise((x, x >= 0), (0, True)),
    "abs": lambda x: sp.Piecewise((x, x >= 0), (-x, True)),
    "leaky_relu": lambda x, a: sp.Piecewise((x, x >= 0), (a * x, True)),
    "elu": lambda x, a: sp.Piecewise((x, x >= 0), (a * (sp.exp(x) - 1), True)),
    "max": lambda x, y: sp.Piecewise((x, x >= y), (y, True)),
    "min": lambda x, y: sp.Piecewise((x, x <= y), (y, True)),
}
NUMBER = re.compile(r"(?<![\w.])(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)")


def exact(text):
    """The binary64 value of a number literal, as an exact rational."""
    return sp.Rational(*float(text).as_integer_ratio())


def parse(text, names):
    """An expression of the case language as sympy, its number literals at their binary64 values."""
    py = NUMBER.sub(lambda m: "Rational(%d, %d)" % float(m.group(1)).as_integer_ratio(), text)
    return sp.sympify(py.replace("^", "**"), locals=names)


def at(expr, point):
    """expr at the point: an exact sympy Rational when it is one, else a 45-digit Float."""
    v = sp.sympify(expr).subs(point)
    return v if v.is_Rational else sp.N(v, 45)


def to_lang(expr):
    text = sp.sstr(expr).replace("**", "^")
    require(set(re.findall(r"[A-Za-z_]\w*", text)) <= set(LANG) | {"x", "y", "z"}, f"cannot write {text}")
    return text


def literal(v):
    """An exact integer as an integer literal, else the shortest literal of 12 or more
    significant digits whose as-printed interval holds v with 0.05 units to spare."""
    if v.is_Rational and v.q == 1:
        return str(int(v))
    d = Decimal(mp.nstr(mp.mpf(v), 45, strip_zeros=False))
    e = d.adjusted()
    for digits in range(12, 18):
        if -4 <= e < 7:
            text = format(d.quantize(Decimal(1).scaleb(e - digits + 1)), "f")
            decimals = len(text.split(".")[1]) if "." in text else 0
        else:
            mant = d.scaleb(-e).quantize(Decimal(1).scaleb(1 - digits))
            text = f"{mant}e{e:+d}"
            decimals = digits - 1 - e
        if abs(Decimal(text) - d) <= Decimal("0.45") * Decimal(10) ** -decimals:
            return text
    raise SystemExit(f"no literal for {v}")


def within_printed(v, text):
    mant, _, exp_ = text.lower().partition("e")
    decimals = (len(mant.split(".")[1]) if "." in mant else 0) - int(exp_ or 0)
    return abs(Decimal(mp.nstr(mp.mpf(v), 40)) - Decimal(text)) <= Decimal(5) * Decimal(10) ** (-decimals - 1)


def close(a, b, rel):
    return a == b or abs(mp.mpf(a) - mp.mpf(b)) <= rel * max(abs(mp.mpf(a)), abs(mp.mpf(b)))


def ystr(s, indent="  "):
    """A YAML scalar: plain when safe, folded when long, else double-quoted."""
    if len(s) > 96:
        return ">-\n" + "\n".join(indent + line for line in textwrap.wrap(s, 96, break_on_hyphens=False))
    if re.fullmatch(r"[A-Za-z0-9(][^#:\"'{}\[\]]*", s) and not s.endswith(" "):
        return s
    return json.dumps(s)


def flow(pairs):
    return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"


def direction(cid, names):
    rng = random.Random(cid)
    while True:
        v = [f"{rng.uniform(-2, 2):.2f}" for _ in names]
        if all(float(t) != 0 for t in v) and abs(sum(float(t) ** 2 for t in v) - 1) > 0.1:
            return dict(zip(names, v))


def require(ok, message):
    if not ok:
        raise SystemExit(f"{message}; nothing written")


def case(cid, title, source, tags, inputs, output, lets=(), note=None, closed=None, quoted=False,
         hvp=0, printed=None):
    """One YAML document. inputs: name -> number text; lets: (name, text) pairs; closed: a
    function (Hessian at the point from sympy) -> the closed-form Hessian; quoted: write the
    Hessian as sympy's closed form; hvp: how many hvp blocks; printed: {"value": text,
    "gradient": text} numbers from a lecture, written instead of ours once checked."""
    names = list(inputs)
    syms = [sp.Symbol(n, real=True) for n in names]
    ns = dict(LANG, **dict(zip(names, syms)))
    for name, text in lets:
        ns[name] = parse(text, ns)
    f = parse(output, ns)
    point = {s: exact(inputs[n]) for n, s in zip(names, syms)}
    n = len(syms)
    H = sp.hessian(f, syms)
    Hv = [[at(H[i, j], point) for j in range(n)] for i in range(n)]
    # mpmath's numerical second derivatives of f itself.
    fm = sp.lambdify(syms, f, "mpmath")
    xm = [mp.mpf(float(inputs[k])) for k in names]
    for i in range(n):
        for j in range(i, n):
            order = [int(k == i) + int(k == j) for k in range(n)]
            num = mp.diff(fm, xm, order) if n > 1 else mp.diff(fm, xm[0], 2)
            sym = mp.mpf(Hv[i][j])
            require(abs(num - sym) <= mp.mpf("1e-20") * abs(sym) + mp.mpf("1e-40"),
                    f"{cid}: d2f/d{names[i]}d{names[j]}: sympy {mp.nstr(sym, 25)}, mpmath.diff {mp.nstr(num, 25)}")
    if closed:
        C = closed(point)
        for i in range(n):
            for j in range(n):
                require(close(C[i][j], Hv[i][j], mp.mpf("1e-30")), f"{cid}: closed form {C[i][j]} != sympy {Hv[i][j]}")
        Hv = C

    lines = [f"id: {cid}", f"title: {ystr(title)}", f"source: {ystr(source)}", f"tags: [{', '.join(tags)}]"]
    lines += ([f"note: {ystr(note)}"] if note else []) + [f"inputs: {flow(inputs.items())}"]
    lines += ["let:"] + [f"  {k}: {t}" for k, t in lets] if lets else []
    lines += [f"output: {output}", "expect:"]
    value = at(f, point)
    grad = [at(sp.diff(f, s), point) for s in syms]
    if printed:
        require(within_printed(value, printed["value"]) and within_printed(grad[0], printed["gradient"]),
                f"{cid}: the printed numbers disagree with sympy")
        lines += [f"  value: {printed['value']}", f"  gradient: {{{names[0]}: {printed['gradient']}}}"]
    else:
        lines += [f"  value: {literal(value)}", f"  gradient: {flow((k, literal(g)) for k, g in zip(names, grad))}"]
    if quoted:
        rows = [[to_lang(H[i, j]) for j in range(n)] for i in range(n)]
        for i in range(n):
            for j in range(n):
                require(close(at(parse(rows[i][j], ns), point), Hv[i][j], mp.mpf("1e-30")), f"{cid}: {rows[i][j]}")
        rows = [[json.dumps(t) for t in r] for r in rows]
    else:
        rows = [[literal(h) for h in r] for r in Hv]
    if n == 1 or (n == 2 and not quoted):
        lines.append("  hessian: [" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]")
    else:
        lines += ["  hessian:"] + ["    - [" + ", ".join(r) + "]" for r in rows]
    lines += ["  hvp:"] if hvp else []
    for b in range(hvp):
        v = direction(f"{cid}/{b}", names)
        prod = [sum((Hv[i][j] * exact(v[names[j]]) for j in range(n)), sp.Integer(0)) for i in range(n)]
        lines += [f"    - direction: {flow(v.items())}",
                  f"      values: {flow((k, literal(p)) for k, p in zip(names, prod))}"]
    return "\n".join(lines) + "\n"


def slug(text):
    return text.lower().replace("e+", "e").replace("e-", "em").replace("-", "m").replace(".", "p").replace("+", "")


# (id stem, tag, output, ordinary points, points near the domain's edge, note for those).
# A point is its inputs' values, in the order x, then y or a.
PRIMITIVES = [
    ("add", "add", "x + y", ["1.37 -2.64", "1.0e-3 7.25e+5", "-0.0625 0.0625"], [], None),
    ("sub", "sub", "x - y", ["1.37 -2.64", "3.0 2.9999", "-4.2e-7 5.5e+3"], [], None),
    ("mul", "mul", "x * y", ["1.37 -2.64", "-0.031 -45.5", "2.5e-3 3.1e+2"], [], None),
    ("mul-square", "mul", "x * x", ["-1.83", "0.29", "4.5"], [], None),
    ("div", "div", "x / y", ["1.37 -2.64", "-3.3 41.0", "0.29 0.85"], ["7.0 1.0e-3"],
     "Denominator near the pole y = 0: d2f/dy2 = 2x/y^3 = 1.4e10."),
    ("neg", "neg", "-x", ["2.71", "-0.043", "1.9e+3"], [], None),
    ("pow", "pow", "x ^ y", ["2.3 1.7", "0.45 -2.2", "7.5 0.5"], ["1.0e-3 2.5"],
     "Base near the edge x > 0 of log x in d2f/dxdy = x^(y-1) (1 + y log x) and d2f/dy2 = x^y log(x)^2."),
    ("pow-function", "pow", "pow(x, y)", ["1.9 -0.35"], [], None),
    ("pow-const-cube", "pow-const", "x ^ 3", ["-1.7", "0.8", "2.9"], [], None),
    ("pow-const-2p5", "pow-const", "x ^ 2.5", ["0.37", "2.2", "6.1"], ["1.0e-3"],
     "Base near 0, the edge of the domain of x^2.5: f'' = 3.75 sqrt(x)."),
    ("pow-const-inverse-square", "pow-const", "x ^ -2", ["-0.6", "0.45", "3.3"], [], None),
    ("exp", "exp", "exp(x)", ["-1.3", "0.7", "4.5"], [], None),
    ("log", "log", "log(x)", ["0.37", "2.9", "15.0"], ["1.0e-3"], "Near the edge x > 0: f'' = -1/x^2 = -1e6."),
    ("sqrt", "sqrt", "sqrt(x)", ["0.37", "5.3", "120.0"], ["1.0e-3"], "Near the edge x >= 0: f'' = -x^(-3/2)/4."),
    ("sin", "sin", "sin(x)", ["0.3", "-1.9", "8.5"], [], None),
    ("cos", "cos", "cos(x)", ["0.3", "-1.9", "8.5"], [], None),
    ("tan", "tan", "tan(x)", ["0.4", "-1.1", "2.3"], ["1.5"], "Near the pole at pi/2: f'' = 2 tan(x)/cos(x)^2."),
    ("asin", "asin", "asin(x)", ["-0.63", "0.27", "0.5"], ["0.999", "-0.999"],
     "Near the edge |x| < 1: f'' = x/(1 - x^2)^(3/2)."),
    ("acos", "acos", "acos(x)", ["-0.63", "0.27", "0.5"], ["0.999", "-0.999"],
     "Near the edge |x| < 1: f'' = -x/(1 - x^2)^(3/2)."),
    ("atan", "atan", "atan(x)", ["-4.5", "0.35", "2.0"], [], None),
    ("sinh", "sinh", "sinh(x)", ["-2.2", "0.55", "3.1"], [], None),
    ("cosh", "cosh", "cosh(x)", ["-2.2", "0.55", "3.1"], [], None),
    ("tanh", "tanh", "tanh(x)", ["-0.65", "0.2", "1.8"], ["19.5"],
     "Saturated: f'' = -2 tanh(x)/cosh(x)^2 is about -1e-16, where 1 - tanh(x)^2 has no digit left."),
    ("sigmoid", "sigmoid", "sigmoid(x)", ["-3.7", "0.45", "2.2"], ["-38.5"],
     "Saturated: f'' = s(1 - s)(1 - 2s) is about 2e-17."),
    ("softplus", "softplus", "softplus(x)", ["-1.2", "0.8", "3.5"], ["42.0"],
     "Saturated: f'' = s(1 - s) with s = sigmoid(x) is about 6e-19."),
    ("relu", "relu", "relu(x)", ["-1.3", "-0.02", "0.35", "2.6"], [], None),
    ("leaky-relu", "leaky-relu", "leaky_relu(x, 0.1)", ["-1.7", "-0.42", "2.3"], [], None),
    ("leaky-relu-param", "leaky-relu", "leaky_relu(x, a)", ["-1.7 0.13", "0.6 0.01"], [], None),
    ("elu", "elu", "elu(x, 1.3)", ["-0.7", "-2.5", "2.0"], [], None),
    ("elu-param", "elu", "elu(x, a)", ["-0.7 1.3", "0.4 0.8"], [], None),
    ("abs", "abs", "abs(x)", ["-1.3", "-0.02", "0.35", "2.6"], [], None),
    ("max", "max", "max(x, y)", ["1.0 2.0", "3.0 -1.0", "-0.5 -0.75", "0.2 0.45"], [], None),
    ("min", "min", "min(x, y)", ["1.0 2.0", "3.0 -1.0", "-0.5 -0.75", "0.2 0.45"], [], None),
]


def primitives():
    docs = []
    for stem, tag, output, ordinary, edges, edge_note in PRIMITIVES:
        names = [k for k in ("x", "y", "a") if re.search(rf"\b{k}\b", output)]
        for p in ordinary + edges:
            inputs = dict(zip(names, p.split()))
            where = ", ".join(f"{k} = {v}" for k, v in inputs.items())
            docs.append(case(f"d2-prim-{stem}-at-{'-'.join(slug(t) for t in p.split())}",
                             f"Second derivatives of {output} at {where}", REF,
                             ["second-order", "primitive", tag], inputs, output,
                             note=edge_note if p in edges else None))
    return docs


PEHARZ_LETS = [("a", "x^2"), ("b", "exp(a)"), ("c", "a + b"), ("d", "sqrt(c)"), ("e", "cos(c)"), ("f", "d + e")]
DOMKE_LETS = [("a", "exp(x)"), ("b", "a^2"), ("c", "a + b"), ("d", "exp(c)"), ("e", "sin(c)"), ("f", "d + e")]
DOMKE_SOURCE = "Domke, Automatic Differentiation and Neural Networks, section 2: eq. (2.1) f and eq. (2.3) intermediates a..f"
NOT_IN_LECTURE = ("The second derivative is not in the lecture: it comes from sympy via "
                  f"{SCRIPT} (symbolic, 40 digits, checked against mpmath.diff).")


def textbook():
    docs = [case("d2-peharz-at-2", "Second derivative of Peharz's f(x) = sqrt(x^2 + exp(x^2)) + cos(x^2 + exp(x^2)) at x = 2",
                 "Peharz, Neural Networks I (ML1 lecture 7), \"Computational Graph Example\", \"Forward Pass\" "
                 "(f = 7.194 at x = 2) and \"Backwards Pass (Autodiff, Backprop)\" (df/dx = -182.87) slides",
                 ["second-order", "textbook", "peharz"], {"x": "2"}, "f", PEHARZ_LETS,
                 note=NOT_IN_LECTURE + " The value 7.194 and df/dx = -182.87 are as printed on the slides.",
                 printed={"value": "7.194", "gradient": "-182.87"})]
    for x in ["-2.3", "-0.7", "0.35", "1.1", "2.0"]:
        docs.append(case(f"d2-domke-eq2-1-at-{slug(x)}",
                         f"Second derivative of Domke's f = exp(exp(x) + exp(x)^2) + sin(exp(x) + exp(x)^2) at x = {x}",
                         DOMKE_SOURCE, ["second-order", "textbook", "domke"], {"x": x}, "f", DOMKE_LETS,
                         note=NOT_IN_LECTURE + " The points are those of cases/textbook/domke.yaml."))
    docs.append(case("d2-domke-eq2-1-closed-form-at-1p1",
                     "Domke's f = exp(exp(x) + exp(x)^2) + sin(exp(x) + exp(x)^2): f'' as sympy's closed form, at x = 1.1",
                     DOMKE_SOURCE, ["second-order", "textbook", "domke"], {"x": "1.1"}, "f", DOMKE_LETS,
                     note=NOT_IN_LECTURE + " The expected Hessian is sympy's closed form, written over x.",
                     quoted=True))
    return docs


# Logistic regression: four samples (x_i, y_i), y_i in {-1, +1}; the third feature is a bias of 1.
LOGISTIC_X = [["0.5", "-1.2", "1"], ["1.1", "0.4", "1"], ["-0.7", "0.9", "1"], ["0.3", "1.6", "1"]]
LOGISTIC_Y = [1, -1, -1, 1]
SOFTMAX_T = ["0.2", "0.5", "0.3"]


def linear(coefficients, names):
    text = " + ".join(f"{c}*{k}" if c != "1" else k for c, k in zip(coefficients, names))
    return text.replace("+ -", "- ")


def logistic_closed(point):
    """X^T diag(s (1 - s)) X with s = sigmoid(w . x_i) (y_i^2 = 1)."""
    w = list(point.values())
    H = sp.zeros(3, 3)
    for xi in LOGISTIC_X:
        xs = [exact(t) for t in xi]
        s = 1 / (1 + sp.exp(-sum(a * b for a, b in zip(w, xs))))
        H += s * (1 - s) * sp.Matrix(xs) * sp.Matrix(xs).T
    return [[sp.N(H[i, j], 45) for j in range(3)] for i in range(3)]


def softmax_closed(point):
    """diag(p) - p p^T with p = softmax(z)."""
    z = list(point.values())
    m = max(z)
    e = [sp.exp(t - m) for t in z]
    p = [t / sum(e) for t in e]
    return [[sp.N((p[i] if i == j else 0) - p[i] * p[j], 45) for j in range(3)] for i in range(3)]


def models():
    docs = []
    rosen = "(1 - x)^2 + 100*(y - x^2)^2"
    for x, y in [("1", "1"), ("-1.2", "1"), ("0.3", "-0.45")]:
        docs.append(case(f"d2-rosenbrock-at-{slug(x)}-{slug(y)}",
                         f"Rosenbrock's function at (x, y) = ({x}, {y}): Hessian and a Hessian-vector product",
                         REF, ["second-order", "model", "rosenbrock"], {"x": x, "y": y}, rosen,
                         note={"1": "The minimum: the Hessian [[802, -400], [-400, 200]] is exact.",
                               "-1.2": "The classic starting point (-1.2, 1)."}.get(x),
                         quoted=True, hvp=1))
    w = ["w1", "w2", "w3"]
    lets = [(f"m{i + 1}", linear(xi, w)) for i, xi in enumerate(LOGISTIC_X)]
    loss = " + ".join(f"softplus({'-' if y > 0 else ''}m{i + 1})" for i, y in enumerate(LOGISTIC_Y))
    data = "; ".join(f"x = ({', '.join(xi)}), y = {y:+d}" for xi, y in zip(LOGISTIC_X, LOGISTIC_Y))
    for point in [("0.4", "-0.9", "0.25"), ("-1.5", "2.2", "0.8")]:
        docs.append(case(f"d2-logistic-regression-at-{'-'.join(slug(t) for t in point)}",
                         f"Logistic regression loss sum_i softplus(-y_i w . x_i) over four samples at w = ({', '.join(point)})",
                         REF, ["second-order", "model", "logistic-regression"], dict(zip(w, point)), loss, lets,
                         note=f"Samples ({data}); m_i = w . x_i. The expected Hessian is the closed form "
                              "X^T diag(s(1 - s)) X with s_i = sigmoid(w . x_i), asserted equal to sympy's Hessian "
                              "to 30 digits.", closed=logistic_closed, hvp=1))
    z = ["z1", "z2", "z3"]
    target = linear(SOFTMAX_T, z)
    naive = f"-({target}) + log(exp(z1) + exp(z2) + exp(z3))"
    shifted = f"-({target}) + m + log(exp(z1 - m) + exp(z2 - m) + exp(z3 - m))"
    for point, large in [(("0.4", "-1.3", "2.2"), False), (("-0.25", "0.6", "0.1"), False),
                         (("300", "299", "297.5"), True), (("800", "801.5", "798.25"), True)]:
        docs.append(case(f"d2-softmax-cross-entropy-at-{'-'.join(slug(t) for t in point)}",
                         f"Softmax cross-entropy -sum_k t_k z_k + log sum_k exp(z_k) at z = ({', '.join(point)})"
                         + (", log-sum-exp shifted by max z_k" if large else ""),
                         REF, ["second-order", "model", "softmax"], dict(zip(z, point)),
                         shifted if large else naive, [("m", "max(max(z1, z2), z3)")] if large else (),
                         note=f"Target t = ({', '.join(SOFTMAX_T)}). The expected Hessian is the closed form "
                              "diag(p) - p p^T with p = softmax(z), asserted equal to sympy's Hessian to 30 digits."
                              + (" Log-sum-exp subtracts m = max z_k, so exp never overflows; the Hessian does not "
                                 "depend on the shift." if large else ""),
                         closed=softmax_closed, hvp=1))
    docs.append(case("d2-mixed-three-inputs", "x*y*z + sin(x*y) + exp(y*z): every mixed second partial is non-zero",
                     REF, ["second-order", "model", "mixed"], {"x": "0.7", "y": "-1.3", "z": "0.4"},
                     "x*y*z + sin(x*y) + exp(y*z)", hvp=2))
    return docs


HEADER = """# {what}
# Generated by {script} (python3 {script}); edit the script, not this file.
# Expected numbers are sympy's symbolic derivatives at the binary64 inputs, evaluated at 40 digits and
# checked against mpmath.diff at 50 digits; literals are correctly rounded (12 significant digits or a
# few more), integer literals are exact. Ids start with d2- (second derivatives); in ids, m is a minus
# sign and p a decimal point (at-m1p3 is x = -1.3).
"""

FILES = {
    "primitives.yaml": ("Second derivatives of every primitive of the rule table, away from kinks and near domain edges.", primitives),
    "textbook.yaml": ("Second derivatives of the worked functions of Peharz (ML1 lecture 7) and Domke (section 2).", textbook),
    "models.yaml": ("Hessians and Hessian-vector products of small models: Rosenbrock, logistic regression, softmax cross-entropy.", models),
}


def main():
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    texts = {}
    for name, (what, build) in FILES.items():
        docs = build()
        texts[name] = HEADER.format(what=what, script=SCRIPT) + "---\n".join(docs)
        print(f"{OUT}/{name}: {len(docs)} cases", file=sys.stderr)
    os.makedirs(OUT, exist_ok=True)
    for name, text in texts.items():
        with open(os.path.join(OUT, name), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
