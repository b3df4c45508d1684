"""The timing protocol shared by the Python peers of `adverify bench`.

A peer script prints exactly one JSON object on stdout and exits 0, whether or not its
package is importable; everything else it or its package prints goes to stderr. The
functions and the protocol are those of the Swift benchmark:

* sum-sin-exp, f(x) = sum_{i=0}^{n-2} [sin(x_i) x_{i+1} + exp(x_i / n)], at
  x_i = 0.5 sin(i) + 0.1, i = 0..n-1, for each n of --sizes;
* Peharz's function, f(x) = sqrt(x^2 + exp(x^2)) + cos(x^2 + exp(x^2)), at x = 2 (n = 1).

Each peer's value and gradient are checked once against the closed forms (relative error
below 1e-10) before anything is timed, so a broken peer reports `available: false`
instead of numbers. Then, after a warm-up, a repetition count is calibrated for the
primal and for the gradient so that one sample (that many calls) takes at least
--sample-seconds; --pairs times, a sample of the primal and then one of the gradient are
timed; the ratio of a pair is the gradient's per-call time over the primal's. A result
gives the median, minimum and maximum of the ratios and the median per-call times.
"""

import argparse
import contextlib
import json
import math
import statistics
import sys
import time

TOLERANCE = 1e-10


class PeerUnavailable(Exception):
    """The peer cannot give trustworthy numbers; the message says why."""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000,10000",
                        help="comma-separated n for sum-sin-exp (each >= 2)")
    parser.add_argument("--sample-seconds", type=float, default=0.01,
                        help="minimum duration of one timed sample")
    parser.add_argument("--pairs", type=int, default=11,
                        help="number of (primal, gradient) sample pairs")
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes must be comma-separated integers")
    if not args.sizes or min(args.sizes) < 2:
        parser.error("--sizes needs integers >= 2")
    if args.sample_seconds <= 0 or args.pairs < 1:
        parser.error("--sample-seconds must be > 0 and --pairs >= 1")
    return args


def inputs(n):
    """x_i = 0.5 sin(i) + 0.1, i = 0..n-1, as Python floats."""
    return [0.5 * math.sin(i) + 0.1 for i in range(n)]


PEHARZ_X = 2.0


def sum_sin_exp_reference(x):
    """The value and the gradient of sum-sin-exp by their closed forms."""
    n = len(x)
    value = math.fsum(math.sin(x[i]) * x[i + 1] + math.exp(x[i] / n) for i in range(n - 1))
    gradient = [0.0] * n
    for i in range(n):
        if i <= n - 2:
            gradient[i] += math.cos(x[i]) * x[i + 1] + math.exp(x[i] / n) / n
        if i >= 1:
            gradient[i] += math.sin(x[i - 1])
    return value, gradient


def peharz_reference(x):
    """The value and the derivative of Peharz's function by their closed forms."""
    a = x * x
    c = a + math.exp(a)
    value = math.sqrt(c) + math.cos(c)
    derivative = (1 / (2 * math.sqrt(c)) - math.sin(c)) * (1 + math.exp(a)) * 2 * x
    return value, derivative


def hvp_direction(n):
    """The benchmark's direction for Hessian-vector products: v_k = 0.5 + ((7919 k) mod 101) / 101."""
    return [0.5 + ((k * 7919) % 101) / 101 for k in range(n)]


def sum_sin_exp_hvp_reference(x, v):
    """The Hessian-vector product of sum-sin-exp by its closed form: H is tridiagonal with
    H_ii = -sin(x_i) x_{i+1} + exp(x_i / n) / n^2 (i <= n - 2) and H_{i,i+1} = cos(x_i)."""
    n = len(x)
    product = [0.0] * n
    for i in range(n - 1):
        product[i] += (-math.sin(x[i]) * x[i + 1] + math.exp(x[i] / n) / (n * n)) * v[i] + math.cos(x[i]) * v[i + 1]
        product[i + 1] += math.cos(x[i]) * v[i]
    return product


def check_hvp(n, product, expected):
    """Raises PeerUnavailable unless the Hessian-vector product matches the closed form."""
    product = [float(p) for p in product]
    scale = max(max(abs(e) for e in expected), sys.float_info.min)
    error = max(abs(p - e) for p, e in zip(product, expected)) / scale if len(product) == len(expected) else math.inf
    if not error < TOLERANCE:
        raise PeerUnavailable(f"sum-sin-exp n={n}: relative error of the Hessian-vector product {error:.3g} (limit {TOLERANCE:g})")


def check(family, n, value, gradient, expected_value, expected_gradient):
    """Raises PeerUnavailable unless value and gradient match the closed forms."""
    value = float(value)
    gradient = [float(g) for g in gradient]
    if len(gradient) != len(expected_gradient):
        raise PeerUnavailable(
            f"{family} n={n}: gradient has {len(gradient)} components, expected {len(expected_gradient)}")
    value_error = abs(value - expected_value) / max(abs(expected_value), sys.float_info.min)
    scale = max(max(abs(g) for g in expected_gradient), sys.float_info.min)
    gradient_error = max(abs(g - e) for g, e in zip(gradient, expected_gradient)) / scale
    if not (value_error < TOLERANCE and gradient_error < TOLERANCE):
        raise PeerUnavailable(
            f"{family} n={n}: relative error of value {value_error:.3g}, of gradient "
            f"{gradient_error:.3g} against the closed form (limit {TOLERANCE:g})")


def _sample(call, repetitions):
    start = time.perf_counter()
    for _ in range(repetitions):
        call()
    return time.perf_counter() - start


def _calibrate(call, sample_seconds):
    """A repetition count for which one sample of `call` takes at least sample_seconds."""
    repetitions = 1
    while True:
        elapsed = _sample(call, repetitions)
        if elapsed >= sample_seconds:
            return repetitions
        if elapsed <= 0:
            repetitions *= 10
        else:
            repetitions = max(repetitions + 1,
                              min(repetitions * 10, math.ceil(repetitions * 1.2 * sample_seconds / elapsed)))


def measure(family, n, primal, gradient, sample_seconds, pairs):
    """Times `primal` and `gradient` (zero-argument calls that finish their work) in pairs."""
    for _ in range(3):
        primal()
        gradient()
    primal_repetitions = _calibrate(primal, sample_seconds)
    gradient_repetitions = _calibrate(gradient, sample_seconds)
    primal_times, gradient_times, ratios = [], [], []
    for _ in range(pairs):
        p = _sample(primal, primal_repetitions) / primal_repetitions
        g = _sample(gradient, gradient_repetitions) / gradient_repetitions
        primal_times.append(p)
        gradient_times.append(g)
        ratios.append(g / p)
    return {
        "family": family,
        "n": n,
        "primal_seconds": statistics.median(primal_times),
        "gradient_seconds": statistics.median(gradient_times),
        "ratio_median": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "pairs": pairs,
    }


def emit(document, stdout):
    stdout.write(json.dumps(document) + "\n")
    stdout.flush()


def unavailable(peer, note):
    return {"peer": peer, "available": False, "note": note, "results": []}


def run(peer, load, argv=None):
    """Runs a peer and prints its one JSON object; returns the exit code (0).

    `load()` imports the package and returns an object with `version`, `note`,
    `sum_sin_exp(x)` and `peharz(x)`; the last two return (primal, gradient, value,
    gradient_value): two zero-argument calls to time, and the value and gradient they
    compute, for the check. `load` raises ImportError when the package is missing.
    An object that also has `sum_sin_exp_hvp(x, v)`, returning (primal, hvp, product), gets
    its Hessian-vector products timed too (rows with "method": "hvp").
    """
    args = parse_args(argv)
    stdout = sys.stdout
    # Whatever the package prints (banners, device warnings) must not reach the JSON.
    with contextlib.redirect_stdout(sys.stderr):
        document = _run(peer, load, args)
    emit(document, stdout)
    return 0


def _run(peer, load, args):
    try:
        implementation = load()
    except ImportError:
        return unavailable(peer, f"{peer} is not installed (pip install {peer})")
    except Exception as error:  # a package that is there but cannot start
        return unavailable(peer, f"{peer} could not be loaded: {type(error).__name__}: {error}")
    try:
        cases = []
        for n in args.sizes:
            x = inputs(n)
            primal, gradient, value, gradient_value = implementation.sum_sin_exp(x)
            check("sum-sin-exp", n, value, gradient_value, *sum_sin_exp_reference(x))
            cases.append(("sum-sin-exp", n, primal, gradient, "gradient"))
            if hasattr(implementation, "sum_sin_exp_hvp"):
                v = hvp_direction(n)
                primal, hvp, product = implementation.sum_sin_exp_hvp(x, v)
                check_hvp(n, product, sum_sin_exp_hvp_reference(x, v))
                cases.append(("sum-sin-exp", n, primal, hvp, "hvp"))
        primal, gradient, value, derivative = implementation.peharz(PEHARZ_X)
        expected_value, expected_derivative = peharz_reference(PEHARZ_X)
        check("peharz", 1, value, [derivative], expected_value, [expected_derivative])
        cases.append(("peharz", 1, primal, gradient, "gradient"))
        results = [dict(measure(family, n, p, g, args.sample_seconds, args.pairs), method=method)
                   for family, n, p, g, method in cases]
    except PeerUnavailable as error:
        return unavailable(peer, f"{peer} {implementation.version} failed its check: {error}")
    except Exception as error:
        return unavailable(peer, f"{peer} {implementation.version} failed: {type(error).__name__}: {error}")
    return {"peer": peer, "version": implementation.version, "available": True,
            "note": implementation.note, "results": results}
