// The benchmark's peers for sum-sin-exp: f(x) = sum_{i=0}^{n-2} [sin(x_i) x_{i+1} + exp(x_i / n)].
