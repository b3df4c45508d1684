#!/usr/bin/env python3
"""Reference numbers for the case catalogue (cases/), and an independent check of it.

    python3 scripts/case-references.py primitives        rewrites cases/primitives/*.yaml
    python3 scripts/case-references.py check [PATH ...]  checks every case (default: cases/)
    python3 scripts/case-references.py eval FILE [ID]    prints every node's value, gradient,
                                                         adjoints and tangents to 13 digits

Why a script: every literal in the catalogue that is not printed in a seed document was
computed here, so it can be recomputed and audited. The references are exact derivatives
(dual numbers in mpmath at 50 digits, cross-checked with mpmath's own high-precision
numerical differentiation wherever the point is not at a kink); inputs and numeric constants
are taken at their binary64 values, because that is the point the tool actually evaluates.

`check` also re-evaluates every case in binary64 the way the tool's rule table does and
confirms that each expectation passes there too (literal rule: |computed - literal| <=
0.5 * 10^-d; quoted expressions: atol + rtol * |expected|). A literal whose true value lies
too close to the edge of its printed interval is reported, since double rounding could then
decide the verdict.

Needs PyYAML (pip install pyyaml) and mpmath. Run from the repository root.
"""
import math
from decimal import Decimal, getcontext
import os
import re
import sys

import mpmath as mp
import yaml

mp.mp.dps = 50
getcontext().prec = 60

# ---------------------------------------------------------------------------------------------
# Expression language (DESIGN.md, "Case files")

UNARY = {"exp", "log", "ln", "sqrt", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
         "tanh", "sigmoid", "softplus", "relu", "abs"}
BINARY = {"pow", "max", "min", "leaky_relu", "elu"}
RESERVED = UNARY | BINARY | {"pi"}
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
NUMBER_RE = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
TOKEN_RE = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(.))")


class CaseError(Exception):
    pass


def tokenize(text):
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m:
            raise CaseError(f"cannot tokenize {text!r} at {pos}")
        num, name, op = m.groups()
        if num is not None:
            tokens.append(("num", num))
        elif name is not None:
            tokens.append(("name", name))
        else:
            if op not in "+-*/^(),":
                raise CaseError(f"unexpected character {op!r} in {text!r}")
            tokens.append(("op", op))
        pos = m.end()
    return tokens


def parse(text):
    """expr := term (+|- term)*; term := unary (*|/ unary)*; unary := - unary | power;
    power := primary (^ unary)?  -- so -x^2 = -(x^2), 2^-x = 2^(-x), ^ right-associative."""
    toks = tokenize(text)
    pos = [0]

    def peek():
        return toks[pos[0]] if pos[0] < len(toks) else (None, None)

    def take(kind=None, value=None):
        t = peek()
        if t[0] is None or (kind and t[0] != kind) or (value and t[1] != value):
            raise CaseError(f"in {text!r}: expected {value or kind}, got {t[1]!r}")
        pos[0] += 1
        return t

    def expr():
        node = term()
        while peek() in (("op", "+"), ("op", "-")):
            op = take()[1]
            node = ("bin", op, node, term())
        return node

    def term():
        node = unary()
        while peek() in (("op", "*"), ("op", "/")):
            op = take()[1]
            node = ("bin", op, node, unary())
        return node

    def unary():
        if peek() == ("op", "-"):
            take()
            return ("neg", unary())
        return power()

    def power():
        base = primary()
        if peek() == ("op", "^"):
            take()
            return ("bin", "^", base, unary())
        return base

    def primary():
        kind, value = peek()
        if kind == "num":
            take()
            return ("num", value)
        if kind == "name":
            take()
            if peek() == ("op", "("):
                if value not in UNARY | BINARY:
                    raise CaseError(f"in {text!r}: unknown function {value}")
                take("op", "(")
                args = [expr()]
                while peek() == ("op", ","):
                    take()
                    args.append(expr())
                take("op", ")")
                want = 1 if value in UNARY else 2
                if len(args) != want:
                    raise CaseError(f"in {text!r}: {value} takes {want} argument(s)")
                return ("call", "log" if value == "ln" else value, args)
            if value in UNARY | BINARY:
                raise CaseError(f"in {text!r}: function {value} used as a name")
            return ("name", value)
        if (kind, value) == ("op", "("):
            take()
            node = expr()
            take("op", ")")
            return node
        raise CaseError(f"in {text!r}: unexpected {value!r}")

    node = expr()
    if pos[0] != len(toks):
        raise CaseError(f"in {text!r}: trailing {toks[pos[0]][1]!r}")
    return node


def names_in(node, out=None):
    out = set() if out is None else out
    if node[0] == "name":
        out.add(node[1])
    elif node[0] == "neg":
        names_in(node[1], out)
    elif node[0] == "bin":
        names_in(node[2], out)
        names_in(node[3], out)
    elif node[0] == "call":
        for a in node[2]:
            names_in(a, out)
    return out


# ---------------------------------------------------------------------------------------------
# Two arithmetics: exact (mpmath, 50 digits) and binary64 mimicking the tool's rule table.

class MP:
    name = "mpmath"
    r = staticmethod(lambda x: x)

    @staticmethod
    def num(text):
        return mp.mpf(float(text))  # the tool parses literals into Double

    pi = mp.pi
    zero, one = mp.mpf(0), mp.mpf(1)

    @staticmethod
    def sig(x):
        return 1 / (1 + mp.exp(-x))

    @staticmethod
    def f(name, a, b=None):
        if name == "exp": return mp.exp(a)
        if name == "log": return mp.log(a) if a > 0 else (mp.mpf("-inf") if a == 0 else mp.nan)
        if name == "sqrt": return mp.sqrt(a) if a >= 0 else mp.nan
        if name in ("sin", "cos", "tan", "atan", "sinh", "cosh", "tanh"): return getattr(mp, name)(a)
        if name in ("asin", "acos"): return getattr(mp, name)(a) if -1 <= a <= 1 else mp.nan
        if name == "sigmoid": return MP.sig(a)
        if name == "softplus": return mp.log(1 + mp.exp(a))
        if name == "pow":
            if a < 0 and b != mp.floor(b): return mp.nan
            return mp.power(a, b)
        raise KeyError(name)

    @staticmethod
    def d(name, a, b, v):
        if name == "exp": return v
        if name == "log": return 1 / a
        if name == "sqrt": return 1 / (2 * v)
        if name == "sin": return mp.cos(a)
        if name == "cos": return -mp.sin(a)
        if name == "tan": return 1 / mp.cos(a) ** 2
        if name == "asin": return 1 / mp.sqrt(1 - a * a)
        if name == "acos": return -1 / mp.sqrt(1 - a * a)
        if name == "atan": return 1 / (1 + a * a)
        if name == "sinh": return mp.cosh(a)
        if name == "cosh": return mp.sinh(a)
        if name == "tanh": return 1 / mp.cosh(a) ** 2
        if name == "sigmoid": return MP.sig(a) * MP.sig(-a)
        if name == "softplus": return MP.sig(a)
        raise KeyError(name)

    expm1 = staticmethod(mp.expm1)
    exp = staticmethod(mp.exp)
    log = staticmethod(lambda a: mp.log(a) if a > 0 else mp.nan)


class Noisy(MP):
    """Exact arithmetic, but every operation's value and tangent is perturbed by up to
    `ulps` units of binary64 roundoff: a Monte Carlo stand-in for any libm's rounding,
    to show that an expectation does not pass by luck of one particular rounding."""
    ulps = 4
    rng = None

    @classmethod
    def r(cls, x):
        if not mp.isfinite(x) or x == 0:
            return x
        return x * (1 + mp.mpf(cls.rng.uniform(-1, 1)) * cls.ulps * mp.mpf(2) ** -53)


def _safe(fn):
    def g(*args):
        try:
            return fn(*args)
        except OverflowError:
            return math.inf
        except (ValueError, ZeroDivisionError):
            return math.nan
    return g


class F64:
    """binary64, with the formulas of Sources/ADCore/Op.swift (value and partials)."""
    name = "binary64"
    r = staticmethod(lambda x: x)

    @staticmethod
    def num(text):
        return float(text)

    pi = math.pi
    zero, one = 0.0, 1.0

    @staticmethod
    def sig(x):
        if x >= 0:
            return 1 / (1 + _safe(math.exp)(-x))
        e = math.exp(x)
        return e / (1 + e)

    @staticmethod
    def f(name, a, b=None):
        s = _safe
        if name == "exp": return s(math.exp)(a)
        if name == "log": return -math.inf if a == 0 else s(math.log)(a)
        if name == "sqrt": return s(math.sqrt)(a)
        if name in ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh"):
            return s(getattr(math, name))(a)
        if name == "sigmoid": return F64.sig(a)
        if name == "softplus": return max(a, 0.0) + math.log1p(s(math.exp)(-abs(a)))
        if name == "pow": return s(math.pow)(a, b)
        raise KeyError(name)

    @staticmethod
    def d(name, a, b, v):
        s = _safe
        if name == "exp": return v
        if name == "log": return s(lambda: 1 / a)()
        if name == "sqrt": return s(lambda: 0.5 / v)()
        if name == "sin": return math.cos(a)
        if name == "cos": return -math.sin(a)
        if name == "tan": return s(lambda: 1 / (math.cos(a) * math.cos(a)))()
        if name == "asin": return s(lambda: 1 / math.sqrt((1 - a) * (1 + a)))()
        if name == "acos": return s(lambda: -1 / math.sqrt((1 - a) * (1 + a)))()
        if name == "atan": return 1 / (1 + a * a)
        if name == "sinh": return s(math.cosh)(a)
        if name == "cosh": return s(math.sinh)(a)
        if name == "tanh":
            c = s(math.cosh)(a)
            return s(lambda: 1 / (c * c))()
        if name == "sigmoid": return v * F64.sig(-a)
        if name == "softplus": return F64.sig(a)
        raise KeyError(name)

    expm1 = staticmethod(_safe(math.expm1))
    exp = staticmethod(_safe(math.exp))
    log = staticmethod(_safe(math.log))


def scaled(partial, incoming):
    """Structural zero, as in Op.swift: a zero tangent stays zero whatever the partial."""
    return 0 * incoming if incoming == 0 else partial * incoming


# The derivative each convention takes exactly at a kink (`kinks:` in a case file), written
# here from the frameworks' own sources, not from the Swift rule table: PyTorch's
# derivatives.yaml (relu: threshold_backward, passing the adjoint only above 0; abs: sgn;
# maximum/minimum: grad / 2 to each side of a tie) and CPU kernels (leaky_relu_backward:
# x > 0 ? 1 : a; elu_backward: x <= 0 ? a exp(x) : 1); JAX's jax.nn.relu custom JVP
# (x > 0), lax.abs JVP (select(x >= 0, g, -g)), lax.max/min (_balanced_eq: halves),
# jax.nn.leaky_relu (where(x >= 0, ...)) and jax.nn.elu (where(x > 0, ...)).
CONVENTIONS = ("x>=0", "pytorch", "jax")
AT_KINK = {  # d/dx of the first operand at its kink; "a" is the second operand's value
    "relu": {"x>=0": 1, "pytorch": 0, "jax": 0},
    "abs": {"x>=0": 1, "pytorch": 0, "jax": 1},
    "leaky_relu": {"x>=0": 1, "pytorch": "a", "jax": 1},
    "elu": {"x>=0": 1, "pytorch": "a", "jax": "a"},
}
TIE_SPLIT = {"x>=0": False, "pytorch": True, "jax": True}  # max/min: halves to each side


class Kinks:
    """Records the smallest distance of any switching argument to its kink, and says which
    kink convention the evaluation follows."""
    def __init__(self, convention="x>=0"):
        if convention not in CONVENTIONS:
            raise CaseError(f"unknown kink convention {convention}")
        self.nearest = math.inf
        self.convention = convention

    def at_kink(self, fn, a, b, B):
        """d/dx at the kink of fn under this convention."""
        rule = AT_KINK[fn][self.convention]
        return b if rule == "a" else (B.one if rule == 1 else B.zero)

    def see(self, s):
        self.nearest = min(self.nearest, abs(float(s)))


def ev(node, env, B, kinks):
    """Evaluates an AST to a dual number (value, tangent); env maps names to duals."""
    v, t = _ev(node, env, B, kinks)
    if node[0] in ("num", "name") and node[1] != "pi":
        return (v, t)  # literals and inputs are exact binary64 numbers; only operations round
    return (B.r(v), B.r(t))


def _ev(node, env, B, kinks):
    kind = node[0]
    if kind == "num":
        return (B.num(node[1]), B.zero)
    if kind == "name":
        if node[1] == "pi":
            return (B.pi, B.zero)
        if node[1] not in env:
            raise CaseError(f"unknown name {node[1]}")
        return env[node[1]]
    if kind == "neg":
        v, t = ev(node[1], env, B, kinks)
        return (-v, -t)
    if kind == "bin":
        op = node[1]
        a, ta = ev(node[2], env, B, kinks)
        b, tb = ev(node[3], env, B, kinks)
        if op == "+": return (a + b, ta + tb)
        if op == "-": return (a - b, ta - tb)
        if op == "*": return (a * b, scaled(b, ta) + scaled(a, tb))
        if op == "/":
            v = a / b if b != 0 else (math.copysign(math.inf, a) if a != 0 else math.nan)
            return (v, scaled(1 / b, ta) + scaled(-v / b, tb))
        if op == "^":
            return _pow(a, ta, b, tb, B)
    if kind == "call":
        fn, args = node[1], node[2]
        duals = [ev(x, env, B, kinks) for x in args]
        a, ta = duals[0]
        if fn in UNARY:
            if fn == "relu":
                kinks.see(a)
                d = kinks.at_kink("relu", a, None, B) if a == 0 else (B.one if a > 0 else B.zero)
                return (a if a >= 0 else B.zero, scaled(d, ta))
            if fn == "abs":
                kinks.see(a)
                d = kinks.at_kink("abs", a, None, B) if a == 0 else (B.one if a > 0 else -B.one)
                return (abs(a), scaled(d, ta))
            v = B.f(fn, a)
            return (v, scaled(B.d(fn, a, None, v), ta) if ta != 0 else B.zero)
        b, tb = duals[1]
        if fn == "pow":
            return _pow(a, ta, b, tb, B)
        if fn in ("max", "min"):
            kinks.see(a - b)
            if a == b and TIE_SPLIT[kinks.convention]:
                return (a, ta / 2 + tb / 2)
            if fn == "max":
                return (a, ta) if a >= b else (b, tb)
            return (a, ta) if a <= b else (b, tb)
        if fn == "leaky_relu":
            kinks.see(a)
            if a == 0:
                return (a, scaled(kinks.at_kink("leaky_relu", a, b, B), ta))
            if a >= 0:
                return (a, ta)
            return (b * a, scaled(b, ta) + scaled(a, tb))
        if fn == "elu":
            kinks.see(a)
            if a == 0:
                return (a, scaled(kinks.at_kink("elu", a, b, B), ta))
            if a >= 0:
                return (a, ta)
            em1 = B.expm1(a)
            return (b * em1, scaled(b * B.exp(a), ta) + scaled(em1, tb))
    raise CaseError(f"cannot evaluate {node}")


def _pow(a, ta, b, tb, B):
    v = B.f("pow", a, b)
    t = B.zero
    if ta != 0:
        t = t + scaled(B.zero if b == 0 else b * B.f("pow", a, b - 1), ta)
    if tb != 0:
        if a > 0:
            dy = v * B.log(a)
        elif a == 0 and b > 0:
            dy = B.zero
        else:
            dy = math.nan
        t = t + scaled(dy, tb)
    return (v, t)


# ---------------------------------------------------------------------------------------------
# Cases

class Case:
    def __init__(self, path, doc_node, index):
        self.path, self.index = path, index
        self.line = doc_node.start_mark.line + 1
        if not isinstance(doc_node, yaml.MappingNode):
            raise CaseError(f"{self.where()}: a case must be a mapping")
        self.raw = {k.value: v for k, v in doc_node.value}
        allowed = {"id", "title", "source", "tags", "note", "inputs", "let", "output", "outputs",
                   "expect", "tolerance", "kinks", "trace"}
        for k in self.raw:
            if k not in allowed:
                raise CaseError(f"{self.where()}: unknown key {k}")
        for k in ("id", "title", "inputs"):
            if k not in self.raw:
                raise CaseError(f"{self.where()}: missing {k}")
        self.id = self.raw["id"].value
        self.convention = self.raw["kinks"].value if "kinks" in self.raw else "x>=0"
        if self.convention not in CONVENTIONS:
            raise CaseError(f"{self.where()}: kinks: {self.convention} is none of {', '.join(CONVENTIONS)}")
        if not ID_RE.match(self.id):
            raise CaseError(f"{self.where()}: bad id {self.id}")
        if ("output" in self.raw) == ("outputs" in self.raw):
            raise CaseError(f"{self.where()}: exactly one of output/outputs")
        self.inputs = []
        for k, v in self.raw["inputs"].value:
            if v.style is not None or not NUMBER_RE.match(v.value):
                raise CaseError(f"{self.where()}: input {k.value} must be a plain number")
            self.inputs.append((k.value, v.value))
        self.lets = [(k.value, str(v.value)) for k, v in self.raw["let"].value] if "let" in self.raw else []
        if "output" in self.raw:
            self.outputs = None
            self.output = str(self.raw["output"].value)
        else:
            self.outputs = [(k.value, str(v.value)) for k, v in self.raw["outputs"].value]
        tol = {"rtol": 1e-10, "atol": 1e-12}
        if "tolerance" in self.raw:
            for k, v in self.raw["tolerance"].value:
                tol[k.value] = float(v.value)
        self.tol = tol
        seen = set()
        for n, _ in self.inputs + [(n, None) for n, _ in self.lets] + [(n, None) for n, _ in (self.outputs or [])]:
            if not NAME_RE.match(n) or n in RESERVED:
                raise CaseError(f"{self.where()}: bad name {n}")
            if n in seen:
                raise CaseError(f"{self.where()}: duplicate name {n}")
            seen.add(n)
        self.parsed_lets = []
        known = {n for n, _ in self.inputs}
        for n, e in self.lets:
            ast = parse(e)
            unknown = names_in(ast) - known - {"pi"}
            if unknown:
                raise CaseError(f"{self.where()}: let {n} uses unknown {sorted(unknown)}")
            self.parsed_lets.append((n, ast))
            known.add(n)
        outs = [("", self.output)] if self.outputs is None else self.outputs
        self.parsed_outputs = []
        for n, e in outs:
            ast = parse(e)
            unknown = names_in(ast) - known - {"pi"}
            if unknown:
                raise CaseError(f"{self.where()}: output {n or 'output'} uses unknown {sorted(unknown)}")
            self.parsed_outputs.append((n, ast))

    def where(self):
        return f"{self.path}:{self.line}"

    # -- evaluation ------------------------------------------------------------------------
    def run(self, B, seed=None, inject=None):
        """Forward sweep with input tangents `seed` (dict); if `inject` names a let or input,
        every tangent is zero except 1 at that node (so the output tangent is its adjoint)."""
        kinks = Kinks(self.convention)
        env = {}
        for n, text in self.inputs:
            t = B.zero
            if inject is None and seed:
                t = B.num(str(seed.get(n, 0)))
            if inject == n:
                t = B.one
            env[n] = (B.num(text), t)
        for n, ast in self.parsed_lets:
            v, t = ev(ast, env, B, kinks)
            if inject is not None:
                t = B.one if inject == n else (t if self._after(inject, n) else B.zero)
            env[n] = (v, t)
        outs = [(n, ev(ast, env, B, kinks)) for n, ast in self.parsed_outputs]
        return env, outs, kinks.nearest

    def _after(self, a, b):
        order = [n for n, _ in self.inputs] + [n for n, _ in self.lets]
        return order.index(b) > order.index(a)

    def expected_expr(self, text, B):
        env = {n: (B.num(v), B.zero) for n, v in self.inputs}
        ast = parse(text)
        unknown = names_in(ast) - set(env) - {"pi"}
        if unknown:
            raise CaseError(f"{self.where()}: expected expression {text!r} uses {sorted(unknown)} (inputs only)")
        return ev(ast, env, B, Kinks())[0]


def literal_tolerance(text):
    m = re.match(r"^[-+]?(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$", text)
    decimals = len(m.group(2) or "")
    exponent = int(m.group(3) or 0)
    return 0.5 * 10.0 ** (exponent - decimals), decimals - exponent


def collect_expectations(case):
    """[(label, kind, key..., value node)] for every expected number in the case."""
    out = []
    if "expect" not in case.raw:
        return out
    exp = {k.value: v for k, v in case.raw["expect"].value}
    allowed = {"value", "values", "gradient", "adjoints", "tangents", "jacobian"}
    for k in exp:
        if k not in allowed:
            raise CaseError(f"{case.where()}: unknown expect key {k}")
    scalar = case.outputs is None
    if "value" in exp:
        if not scalar:
            raise CaseError(f"{case.where()}: value needs output:")
        out.append(("value", ("value",), exp["value"]))
    for k, v in exp.get("values", yaml.MappingNode(None, [])).value:
        out.append((f"values.{k.value}", ("values", k.value), v))
    for k, v in exp.get("gradient", yaml.MappingNode(None, [])).value:
        if not scalar:
            raise CaseError(f"{case.where()}: gradient needs output:")
        out.append((f"gradient.{k.value}", ("gradient", k.value), v))
    for k, v in exp.get("adjoints", yaml.MappingNode(None, [])).value:
        if not scalar:
            raise CaseError(f"{case.where()}: adjoints need output:")
        out.append((f"adjoints.{k.value}", ("adjoints", k.value), v))
    if "tangents" in exp:
        blocks = exp["tangents"].value if isinstance(exp["tangents"], yaml.SequenceNode) else [exp["tangents"]]
        for i, blk in enumerate(blocks):
            b = {k.value: v for k, v in blk.value}
            seed = {k.value: float(v.value) for k, v in b["seed"].value}
            for k, v in b.get("values", yaml.MappingNode(None, [])).value:
                out.append((f"tangents[{i}].{k.value}", ("tangent", tuple(sorted(seed.items())), k.value), v))
    if "jacobian" in exp:
        if scalar:
            raise CaseError(f"{case.where()}: jacobian needs outputs:")
        rows = exp["jacobian"].value
        if len(rows) != len(case.outputs):
            raise CaseError(f"{case.where()}: jacobian has {len(rows)} rows for {len(case.outputs)} outputs")
        for i, row in enumerate(rows):
            if len(row.value) != len(case.inputs):
                raise CaseError(f"{case.where()}: jacobian row {i} has {len(row.value)} columns")
            for j, v in enumerate(row.value):
                out.append((f"jacobian[{i}][{j}]", ("jacobian", i, j), v))
    return out


def compute(case, key, B):
    """The quantity an expectation refers to, in arithmetic B."""
    inputs = [n for n, _ in case.inputs]
    lets = [n for n, _ in case.lets]
    if key[0] == "value":
        return case.run(B)[1][0][1][0]
    if key[0] == "values":
        env, outs, _ = case.run(B)
        name = key[1]
        if name in env:
            return env[name][0]
        for n, (v, _) in outs:
            if n == name:
                return v
        raise CaseError(f"{case.where()}: values.{name} names no node")
    if key[0] == "gradient":
        if key[1] not in inputs:
            raise CaseError(f"{case.where()}: gradient.{key[1]} is not an input")
        return case.run(B, seed={key[1]: 1})[1][0][1][1]
    if key[0] == "adjoints":
        if key[1] not in inputs + lets:
            raise CaseError(f"{case.where()}: adjoints.{key[1]} is not a let or input")
        return case.run(B, inject=key[1])[1][0][1][1]
    if key[0] == "tangent":
        seed = dict(key[1])
        for s in seed:
            if s not in inputs:
                raise CaseError(f"{case.where()}: seed {s} is not an input")
        env, outs, _ = case.run(B, seed=seed)
        if key[2] in env:
            return env[key[2]][1]
        for n, (_, t) in outs:
            if n == key[2]:
                return t
        raise CaseError(f"{case.where()}: tangent of unknown node {key[2]}")
    if key[0] == "jacobian":
        return case.run(B, seed={inputs[key[2]]: 1})[1][key[1]][1][1]
    raise KeyError(key)


def numeric_derivative(case, key):
    """mpmath's own high-precision numerical derivative, for keys that are d(output)/d(input)."""
    inputs = [n for n, _ in case.inputs]
    if key[0] == "gradient":
        out_index, wrt = 0, key[1]
    elif key[0] == "jacobian":
        out_index, wrt = key[1], inputs[key[2]]
    else:
        return None

    def f(h):
        env = {n: (MP.num(v) + (h if n == wrt else 0), MP.zero) for n, v in case.inputs}
        for n, ast in case.parsed_lets:
            env[n] = ev(ast, env, MP, Kinks())
        return ev(case.parsed_outputs[out_index][1], env, MP, Kinks())[0]

    return mp.diff(f, 0)


NOISY_TRIALS = 8


def check_case(case, report):
    problems = []
    _, _, nearest_kink = case.run(MP)
    for label, key, node in collect_expectations(case):
        if not isinstance(node, yaml.ScalarNode):
            problems.append(f"{label}: not a scalar")
            continue
        truth = compute(case, key, MP)
        f64 = compute(case, key, F64)
        if key[0] in ("gradient", "jacobian") and nearest_kink > 1e-12:
            nd = numeric_derivative(case, key)
            if abs(nd - truth) > mp.mpf(10) ** -25 * max(1, abs(truth)):
                problems.append(f"{label}: dual-number derivative {mp.nstr(truth, 20)} != mp.diff {mp.nstr(nd, 20)}")
        noisy = []
        for trial in range(NOISY_TRIALS):
            expect_noisy = None if node.style is None else case.expected_expr(node.value, Noisy)
            noisy.append((compute(case, key, Noisy), expect_noisy))
        if node.style is None:
            text = node.value
            if not NUMBER_RE.match(text):
                problems.append(f"{label}: unquoted non-number {text!r}")
                continue
            tol, _ = literal_tolerance(text)
            lit = mp.mpf(text)
            miss = abs(truth - lit)
            if not miss <= tol:
                problems.append(f"{label}: literal {text} but the true value is {mp.nstr(truth, 15)}")
            elif tol - miss < 0.05 * tol and tol - miss < 1e-9 * max(1, abs(truth)):
                problems.append(f"{label}: literal {text} is at the edge of its interval "
                                f"(true {mp.nstr(truth, 20)})")
            if not (abs(f64 - float(text)) <= tol):
                problems.append(f"{label}: binary64 evaluation {f64!r} misses literal {text}")
            worst = max((abs(n - lit) for n, _ in noisy), default=0)
            if worst > tol:
                problems.append(f"{label}: literal {text} fails under simulated roundoff ({mp.nstr(worst, 5)} > {tol})")
        else:
            exp_mp = case.expected_expr(node.value, MP)
            exp_f = case.expected_expr(node.value, F64)
            bound = case.tol["atol"] + case.tol["rtol"] * abs(exp_mp)
            if not abs(truth - exp_mp) <= mp.mpf(bound) / 100:
                problems.append(f"{label}: expression {node.value!r} = {mp.nstr(exp_mp, 15)}, true {mp.nstr(truth, 15)}")
            fbound = case.tol["atol"] + case.tol["rtol"] * abs(exp_f)
            if not abs(f64 - exp_f) <= fbound / 10:
                problems.append(f"{label}: binary64 {f64!r} vs expression {exp_f!r}: more than a tenth of the "
                                f"tolerance {fbound!r}")
            for n, e in noisy:
                if not abs(n - e) <= (case.tol["atol"] + case.tol["rtol"] * abs(e)) / 2:
                    problems.append(f"{label}: under simulated roundoff AD {mp.nstr(n, 17)} vs expression "
                                    f"{mp.nstr(e, 17)} uses more than half the tolerance")
                    break
    for p in problems:
        report.append(f"{case.where()} [{case.id}] {p}")
    return not problems


def load(path):
    with open(path) as fh:
        text = fh.read()
    cases = []
    for i, node in enumerate(yaml.compose_all(text)):
        if node is None:
            continue
        # Network cases are checked against the ADCore graph of the same network by adverify
        # itself; their hand-worked numbers are in each case's note. This script checks
        # expression cases.
        if isinstance(node, yaml.MappingNode) and any(k.value == "kind" and v.value == "network" for k, v in node.value):
            continue
        cases.append(Case(path, node, i))
    return cases


def yaml_files(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, _, files in sorted(os.walk(p)):
                for f in sorted(files):
                    if f.endswith((".yaml", ".yml")):
                        yield os.path.join(root, f)
        else:
            yield p


def cmd_check(paths):
    report, ids, count, failed, per_folder = [], {}, 0, 0, {}
    for path in yaml_files(paths or ["cases"]):
        try:
            cases = load(path)
        except (CaseError, yaml.YAMLError) as e:
            report.append(f"{path}: {e}")
            failed += 1
            continue
        for c in cases:
            count += 1
            folder = os.path.basename(os.path.dirname(path))
            per_folder[folder] = per_folder.get(folder, 0) + 1
            if c.id in ids:
                report.append(f"{c.where()}: duplicate id {c.id} (first at {ids[c.id]})")
                failed += 1
            ids[c.id] = c.where()
            try:
                if not check_case(c, report):
                    failed += 1
            except (CaseError, ValueError, ZeroDivisionError, TypeError) as e:
                report.append(f"{c.where()} [{c.id}] {type(e).__name__}: {e}")
                failed += 1
    for line in report:
        print(line)
    print(f"{count} cases ({', '.join(f'{k}: {v}' for k, v in sorted(per_folder.items()))}), {failed} with problems")
    return 1 if failed else 0


def cmd_eval(path, wanted=None):
    for c in load(path):
        if wanted and c.id != wanted:
            continue
        print(f"== {c.id}")
        env, outs, nearest = c.run(MP)
        for n, (v, _) in list(env.items()) + outs:
            print(f"  value {n or 'output'} = {fmt(v)}")
        inputs = [n for n, _ in c.inputs]
        for i in inputs:
            env, outs, _ = c.run(MP, seed={i: 1})
            for n, (_, t) in list(env.items()) + outs:
                print(f"  d/d{i} {n or 'output'} = {fmt(t)}")
        if c.outputs is None:
            for n in inputs + [n for n, _ in c.lets]:
                print(f"  adjoint {n} = {fmt(c.run(MP, inject=n)[1][0][1][1])}")
        print(f"  nearest kink distance {nearest}")


def fmt(x, digits=12):
    """~`digits` significant digits, correctly rounded; scientific form for tiny/huge numbers.
    Adds a digit when the true value sits near the edge of the printed interval."""
    x = mp.mpf(x)
    if x == 0:
        return "0.0"
    for n in (digits, digits + 1, digits - 1, digits + 2):
        s = _fmt(x, n)
        tol, _ = literal_tolerance(s)
        if tol - abs(x - mp.mpf(s)) >= 0.2 * tol:
            return s
    return _fmt(x, digits + 2)


def _fmt(x, n):
    d = Decimal(mp.nstr(x, 45))
    e = d.adjusted()
    if -4 <= e < 7:
        return format(d, f".{max(n - 1 - e, 1)}f")
    return format(d, f".{n - 1}e")


# ---------------------------------------------------------------------------------------------
# cases/primitives/: generated here, so every number is reproducible.

def primitive_catalogue():
    """file -> (title, comment, [(id suffix, inputs dict (text), output expr, note or None)])"""
    U = lambda expr, pts, note=None: [(f"at-{slug(p)}", {"x": p}, expr, note) for p in pts]
    return {
        "add": ("x + y", "Addition; both partials are 1 (quoted, so they are checked exactly).",
                [("a", {"x": "1.37", "y": "-2.64"}, "x + y", None),
                 ("b", {"x": "1.0e-3", "y": "7.25e+5"}, "x + y", None),
                 ("c", {"x": "-0.0625", "y": "0.0625"}, "x + y", "Sum exactly 0.")]),
        "sub": ("x - y", "Subtraction: partials 1 and -1.",
                [("a", {"x": "1.37", "y": "-2.64"}, "x - y", None),
                 ("b", {"x": "3.0", "y": "2.9999"}, "x - y", "Cancellation: nearly equal operands."),
                 ("c", {"x": "-4.2e-7", "y": "5.5e+3"}, "x - y", None)]),
        "mul": ("x * y", "Multiplication: d/dx = y, d/dy = x.",
                [("a", {"x": "1.37", "y": "-2.64"}, "x * y", None),
                 ("b", {"x": "-0.031", "y": "-45.5"}, "x * y", None),
                 ("c", {"x": "2.5e-8", "y": "3.1e+7"}, "x * y", None),
                 ("square", {"x": "-1.83"}, "x * x", "Both operands are the same node: d/dx = 2x (adjoints accumulate).")]),
        "div": ("x / y", "Division: d/dx = 1/y, d/dy = -x/y^2.",
                [("a", {"x": "1.37", "y": "-2.64"}, "x / y", None),
                 ("b", {"x": "7.0", "y": "1.0e-3"}, "x / y", "Small denominator: d/dy = -7e6."),
                 ("c", {"x": "-3.3", "y": "41.0"}, "x / y", None),
                 ("reciprocal", {"x": "0.29"}, "1 / x", None)]),
        "neg": ("unary minus", "Unary minus, and its precedence: -x^2 = -(x^2), 2^-x = 2^(-x).",
                [("a", {"x": "2.71"}, "-x", None),
                 ("b", {"x": "-0.043"}, "-x", None),
                 ("c", {"x": "1.9e+3"}, "-x", None),
                 ("before-power", {"x": "-1.6"}, "-x^2", "Unary minus binds looser than ^: -x^2 = -(x^2) = -2.56, not 2.56."),
                 ("in-exponent", {"x": "0.8"}, "2^-x", "2^-x = 2^(-x); derivative -2^(-x) log 2."),
                 ("double", {"x": "0.61"}, "-(-x) * 3", None)]),
        "pow": ("x ^ y (variable exponent)", "x^y with both operands inputs: d/dx = y x^(y-1), d/dy = x^y log x (x > 0).",
                [("a", {"x": "2.3", "y": "1.7"}, "x ^ y", None),
                 ("b", {"x": "0.45", "y": "-2.2"}, "x ^ y", None),
                 ("c", {"x": "7.5", "y": "0.5"}, "x ^ y", None),
                 ("near-zero-base", {"x": "1.0e-3", "y": "2.5"}, "x ^ y", "Base near the domain edge x > 0 of the log in d/dy."),
                 ("function-form", {"x": "1.9", "y": "-0.35"}, "pow(x, y)", "pow(x, y) is the same primitive as x ^ y."),
                 ("constant-base", {"y": "1.3"}, "3.5 ^ y", "Only the exponent is variable: d/dy = 3.5^y log 3.5.")]),
        "pow-const": ("x ^ c (constant exponent)", "x^c with a constant exponent: d/dx = c x^(c-1), no log, so negative bases are fine for integer c.",
                      [("cube-negative-base", {"x": "-1.7"}, "x ^ 3", "Negative base, integer exponent."),
                       ("inverse-square-negative-base", {"x": "-0.6"}, "x ^ -2", "Negative base, negative integer exponent (the exponent is -(2), constant)."),
                       ("pow-function-negative-base", {"x": "-1.3"}, "pow(x, 4)", "pow() with a constant exponent and a negative base."),
                       ("fractional", {"x": "2.2"}, "x ^ 2.5", None),
                       ("sqrt-like-near-zero", {"x": "1.0e-4"}, "x ^ 0.5", "Near the domain edge: d/dx = 0.5/sqrt(x) = 50."),
                       ("square", {"x": "3.14"}, "x ^ 2", None),
                       ("zeroth", {"x": "-2.9"}, "x ^ 0", "x^0 = 1 and d/dx = 0, also for a negative base.")]),
        "exp": ("exp", "exp: derivative equals the value.",
                U("exp(x)", ["-30.2", "-1.3", "0.7", "45.3", "300.5"])),
        "log": ("log (natural)", "log: d/dx = 1/x. Near 0 the oracles leave the domain (inconclusive is expected there).",
                U("log(x)", ["1.0e-3", "0.37", "2.9", "1.0000001", "1.0e+6"]) +
                [("ln-alias", {"x": "4.6"}, "ln(x)", "ln is the same primitive as log.")]),
        "sqrt": ("sqrt", "sqrt: d/dx = 1/(2 sqrt x). Near 0 the oracles leave the domain (inconclusive expected).",
                 U("sqrt(x)", ["1.0e-4", "0.37", "5.3", "1.0e+8"])),
        "sin": ("sin", "sin: d/dx = cos x.", U("sin(x)", ["0.3", "-1.9", "8.5", "1.0e-7", "1234.5"])),
        "cos": ("cos", "cos: d/dx = -sin x.", U("cos(x)", ["0.3", "-1.9", "8.5", "1.0e-7", "1234.5"])),
        "tan": ("tan", "tan: d/dx = 1/cos^2 x.", U("tan(x)", ["0.4", "-1.1", "1.55", "7.3"])),
        "asin": ("asin", "asin: d/dx = 1/sqrt(1 - x^2); points close to +-1 (oracles may be inconclusive there).",
                 U("asin(x)", ["-0.63", "0.27", "0.999999", "-0.9995"])),
        "acos": ("acos", "acos: d/dx = -1/sqrt(1 - x^2); points close to +-1 (oracles may be inconclusive there).",
                 U("acos(x)", ["-0.63", "0.27", "0.999999", "-0.9995"])),
        "atan": ("atan", "atan: d/dx = 1/(1 + x^2).", U("atan(x)", ["-4.5", "0.35", "250.0", "1.0e+8"])),
        "sinh": ("sinh", "sinh: d/dx = cosh x.", U("sinh(x)", ["-2.2", "0.55", "1.0e-5", "25.5"])),
        "cosh": ("cosh", "cosh: d/dx = sinh x.", U("cosh(x)", ["-2.2", "0.55", "1.0e-5", "25.5"])),
        "tanh": ("tanh", "tanh: d/dx = 1 - tanh^2 x = 1/cosh^2 x; large |x| where 1 - tanh^2 loses every digit.",
                 U("tanh(x)", ["-0.65", "1.8", "19.5", "-22.0"])),
        "sigmoid": ("sigmoid", "sigmoid(x) = 1/(1 + exp(-x)): d/dx = sigmoid(x) sigmoid(-x); large |x| both sides.",
                    U("sigmoid(x)", ["-3.7", "0.45", "2.2", "38.5", "-50.0"])),
        "softplus": ("softplus", "softplus(x) = log(1 + exp(x)): d/dx = sigmoid(x); large |x| both sides.",
                     U("softplus(x)", ["-35.0", "-1.2", "0.8", "42.0", "750.0"])),
        "relu": ("relu", "relu: d/dx = 1(x >= 0) (kink convention x>=0: relu'(0) = 1; pytorch and jax: 0).",
                 U("relu(x)", ["-1.3", "2.6", "0", "3.0e-9", "-3.0e-9"]) + at_kink_under_frameworks("at-0", {"x": "0"}, "relu(x)")),
        "leaky-relu": ("leaky_relu(x, a)", "leaky_relu(x, a) = x (x >= 0), a x (x < 0): d/dx = 1 or a, d/da = 0 or x; kink at x = 0 takes the x >= 0 branch.",
                       [("negative", {"x": "-1.7", "a": "0.13"}, "leaky_relu(x, a)", None),
                        ("positive", {"x": "2.3", "a": "0.13"}, "leaky_relu(x, a)", None),
                        ("kink", {"x": "0", "a": "0.13"}, "leaky_relu(x, a)", "At the kink: x >= 0 branch, d/dx = 1, d/da = 0."),
                        ("negative-large-slope", {"x": "-0.42", "a": "2.5"}, "leaky_relu(x, a)", None)]
                       + at_kink_under_frameworks("kink", {"x": "0", "a": "0.13"}, "leaky_relu(x, a)")),
        "elu": ("elu(x, a)", "elu(x, a) = x (x >= 0), a (exp(x) - 1) (x < 0): d/dx = 1 or a exp(x), d/da = 0 or exp(x) - 1; kink at 0 takes the x >= 0 branch.",
                [("negative", {"x": "-0.7", "a": "1.3"}, "elu(x, a)", None),
                 ("positive", {"x": "2.0", "a": "1.3"}, "elu(x, a)", None),
                 ("kink", {"x": "0", "a": "1.3"}, "elu(x, a)", "At the kink: x >= 0 branch, d/dx = 1, d/da = 0."),
                 ("tiny-negative", {"x": "-1.0e-6", "a": "0.8"}, "elu(x, a)", "exp(x) - 1 must not cancel (expm1)."),
                 ("large-negative", {"x": "-25.0", "a": "0.5"}, "elu(x, a)", None)]
                + at_kink_under_frameworks("kink", {"x": "0", "a": "1.3"}, "elu(x, a)")),
        "abs": ("abs", "abs: d/dx = sign(x) with abs'(0) = 1 (x >= 0 branch; pytorch: 0, jax: 1).",
                U("abs(x)", ["-2.7", "3.1", "0", "-4.0e-9"]) + at_kink_under_frameworks("at-0", {"x": "0"}, "abs(x)")),
        "max": ("max(x, y)", "max: the larger argument's partial is 1; a tie goes to the first argument.",
                [("first-larger", {"x": "2.5", "y": "-1.25"}, "max(x, y)", None),
                 ("second-larger", {"x": "-0.75", "y": "0.3"}, "max(x, y)", None),
                 ("tie", {"x": "1.5", "y": "1.5"}, "max(x, y)", "Tie: d/dx = 1, d/dy = 0 (first argument)."),
                 ("with-constant", {"x": "-0.8"}, "max(x, 0.1 * x)", "Peharz's leaky ReLU form max(x, ax), a = 0.1, x < 0.")]
                + at_kink_under_frameworks("tie", {"x": "1.5", "y": "1.5"}, "max(x, y)")),
        "min": ("min(x, y)", "min: the smaller argument's partial is 1; a tie goes to the first argument.",
                [("first-smaller", {"x": "-1.25", "y": "2.5"}, "min(x, y)", None),
                 ("second-smaller", {"x": "0.3", "y": "-0.75"}, "min(x, y)", None),
                 ("tie", {"x": "1.5", "y": "1.5"}, "min(x, y)", "Tie: d/dx = 1, d/dy = 0 (first argument)."),
                 ("with-constant", {"x": "3.7"}, "min(x, 2)", None)]
                + at_kink_under_frameworks("tie", {"x": "1.5", "y": "1.5"}, "min(x, y)")),
        "kink-conventions": ("kinks under each convention", "Several piecewise primitives on their kinks at once, under each kink convention: the three conventions give three different gradients.",
                [(f"mixed-{c.replace('>=', 'ge')}", {"x": "0.9", "y": "0.9"}, "1.7 * max(x, y) + abs(x - y) - 0.6 * relu(y - x)",
                  f"max ties, abs and relu sit on their kinks together; under {c} the gradient is the sum of that convention's values.", c)
                 for c in CONVENTIONS]
                + [(f"leaky-elu-{c.replace('>=', 'ge')}", {"x": "0", "a": "0.35"}, "2.5 * leaky_relu(x, a) - 1.5 * elu(x, a)",
                    f"leaky_relu and elu on their kinks, with the parameter a an input: d/da is 0 under every convention.", c)
                   for c in CONVENTIONS]),
    }


def at_kink_under_frameworks(suffix, inputs, expr):
    """The same kink point under the pytorch and jax conventions (the default x>=0 case is
    listed with the other points)."""
    return [(f"{suffix}-{c}", inputs, expr, f"At the kink under the {c} convention.", c) for c in ("pytorch", "jax")]


def slug(text):
    s = text.lower().replace("e+", "e").replace("e-", "em").replace("-", "m").replace(".", "p").replace("+", "")
    return s


EXACT = {"add", "sub", "neg"}  # derivatives that are exactly integers: quoted, checked exactly


def exact_text(x):
    """A quoted form for values that are exact small integers (e.g. a partial of 1 or 0)."""
    if x == mp.nint(x) and abs(x) < 1e6:
        return f'"{int(x)}"'
    return None


def cmd_primitives():
    os.makedirs("cases/primitives", exist_ok=True)
    total = 0
    for file, (title, comment, cases) in primitive_catalogue().items():
        docs = []
        for entry in cases:
            suffix, inputs, expr, note = entry[:4]
            convention = entry[4] if len(entry) > 4 else None
            inp = ", ".join(f"{k}: {v}" for k, v in inputs.items())
            c = FakeCase(inputs, expr, convention or "x>=0")
            value = c.value()
            grads = {k: c.grad(k) for k in inputs}
            lines = [f"id: prim-{file}-{suffix}",
                     f"title: {expr} at {inp.replace(': ', ' = ')}" + (f" ({convention} kinks)" if convention else ""),
                     "source: scripts/case-references.py (closed forms evaluated with mpmath at 50 digits)",
                     f"tags: [primitive, {file}" + (f", kinks-{convention.replace('>=', 'ge')}" if convention else "") + "]"]
            if note:
                lines.append(f"note: {yaml_str(note)}")
            if convention:
                lines.append(f"kinks: {yaml_str(convention) if '>' in convention else convention}")
            lines += [f"inputs: {{{inp}}}", f"output: {expr}", "expect:",
                      f"  value: {exact_text(value) or fmt(value)}",
                      "  gradient: {" + ", ".join(f"{k}: {exact_text(g) or fmt(g)}" for k, g in grads.items()) + "}"]
            docs.append("\n".join(lines) + "\n")
            total += 1
        header = (f"# Primitive: {title}. {comment}\n"
                  "# Generated by scripts/case-references.py (python3 scripts/case-references.py primitives);\n"
                  "# edit the catalogue there, not this file. Literals are the exact value at the binary64\n"
                  "# input, correctly rounded to ~12 significant digits; exact integers are quoted.\n"
                  "# In ids, m is a minus sign and p a decimal point (at-m1p3 is x = -1.3).\n")
        with open(f"cases/primitives/{file}.yaml", "w") as fh:
            fh.write(header + "---\n".join(docs))
    print(f"wrote {total} primitive cases")


def yaml_str(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


class FakeCase:
    def __init__(self, inputs, expr, convention="x>=0"):
        self.inputs = inputs
        self.ast = parse(expr)
        self.convention = convention

    def _run(self, seed):
        env = {k: (MP.num(v), MP.one if k == seed else MP.zero) for k, v in self.inputs.items()}
        return ev(self.ast, env, MP, Kinks(self.convention))

    def value(self):
        return self._run(None)[0]

    def grad(self, k):
        return self._run(k)[1]


def main(argv):
    import random
    Noisy.rng = random.Random(20240501)
    if len(argv) >= 2 and argv[1] == "primitives":
        cmd_primitives()
        return 0
    if len(argv) >= 2 and argv[1] == "check":
        return cmd_check(argv[2:])
    if len(argv) >= 3 and argv[1] == "eval":
        cmd_eval(argv[2], argv[3] if len(argv) > 3 else None)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
