#!/usr/bin/env python3
"""JAX as a peer of `adverify bench`: jit-compiled f and jax.grad(f) on the CPU in float64.

    python3 bench/peers/jax_peer.py --sizes 10,100,1000,10000 --sample-seconds 0.01 --pairs 11

prints one JSON object (see common.py and README.md); `available` is false when JAX is
not installed or fails the gradient check.
"""

import os
import sys

sys.dont_write_bytecode = True  # run from the repository: leave no __pycache__ in it
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


class JaxPeer:
    def __init__(self):
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)
        self.jax = jax
        self.jnp = jnp
        self.version = jax.__version__
        self.note = f"jit, {jax.default_backend().upper()}, float64 (jax_enable_x64)"

    def sum_sin_exp(self, x):
        jax, jnp = self.jax, self.jnp

        def f(x):
            n = x.shape[0]
            return jnp.sum(jnp.sin(x[:-1]) * x[1:] + jnp.exp(x[:-1] / n))

        return self._pair(f, jnp.asarray(x, dtype=jnp.float64))

    def sum_sin_exp_hvp(self, x, v):
        """jvp of grad (forward over reverse), jit-compiled: JAX's own recipe for H v."""
        jax, jnp = self.jax, self.jnp

        def f(x):
            n = x.shape[0]
            return jnp.sum(jnp.sin(x[:-1]) * x[1:] + jnp.exp(x[:-1] / n))

        x = jnp.asarray(x, dtype=jnp.float64)
        v = jnp.asarray(v, dtype=jnp.float64)
        primal = jax.jit(f)
        hvp = jax.jit(lambda x, v: jax.jvp(jax.grad(f), (x,), (v,))[1])
        primal(x).block_until_ready()
        product = hvp(x, v).block_until_ready()
        return (lambda: primal(x).block_until_ready(), lambda: hvp(x, v).block_until_ready(),
                [float(p) for p in product])

    def peharz(self, x):
        jnp = self.jnp

        def f(x):
            a = x * x
            b = jnp.exp(a)
            c = a + b
            return jnp.sqrt(c) + jnp.cos(c)

        return self._pair(f, jnp.asarray(x, dtype=jnp.float64))

    def _pair(self, f, x):
        jax = self.jax
        primal = jax.jit(f)
        gradient = jax.jit(jax.grad(f))
        value = primal(x).block_until_ready()  # compiles
        gradient_value = gradient(x).block_until_ready()  # compiles
        if gradient_value.ndim == 0:
            gradient_value = float(gradient_value)
        else:
            gradient_value = [float(g) for g in gradient_value]
        return (lambda: primal(x).block_until_ready(),
                lambda: gradient(x).block_until_ready(),
                float(value), gradient_value)


if __name__ == "__main__":
    sys.exit(common.run("jax", JaxPeer))
