// ADBench: timing, function families, scaling sweeps, baselines and regression checks.
