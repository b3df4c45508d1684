#!/usr/bin/env python3
"""autograd as a peer of `adverify bench`: f over autograd.numpy and autograd.grad(f), no jit,
in float64.

    python3 bench/peers/autograd_peer.py --sizes 10,100,1000,10000 --sample-seconds 0.01 --pairs 11

prints one JSON object (see common.py and README.md); `available` is false when autograd
is not installed or fails the gradient check.
"""

import os
import sys

sys.dont_write_bytecode = True  # run from the repository: leave no __pycache__ in it
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


class AutogradPeer:
    def __init__(self):
        from importlib import metadata

        import autograd
        import autograd.numpy as anp
        import numpy

        self.autograd = autograd
        self.anp = anp
        self.numpy = numpy
        try:
            self.version = metadata.version("autograd")
        except metadata.PackageNotFoundError:
            self.version = getattr(autograd, "__version__", "unknown")
        self.note = f"autograd.numpy, float64, no jit (numpy {numpy.__version__})"

    def sum_sin_exp(self, x):
        anp = self.anp

        def f(x):
            n = x.shape[0]
            return anp.sum(anp.sin(x[:-1]) * x[1:] + anp.exp(x[:-1] / n))

        return self._pair(f, self.numpy.asarray(x, dtype=self.numpy.float64))

    def peharz(self, x):
        anp = self.anp

        def f(x):
            a = x * x
            b = anp.exp(a)
            c = a + b
            return anp.sqrt(c) + anp.cos(c)

        return self._pair(f, float(x))

    def _pair(self, f, x):
        gradient = self.autograd.grad(f)
        value = f(x)
        gradient_value = gradient(x)
        if self.numpy.ndim(gradient_value) == 0:
            gradient_value = float(gradient_value)
        else:
            gradient_value = [float(g) for g in gradient_value]
        return (lambda: f(x), lambda: gradient(x), float(value), gradient_value)


if __name__ == "__main__":
    sys.exit(common.run("autograd", AutogradPeer))
