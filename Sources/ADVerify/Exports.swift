// ADVerify's API speaks in ADNumeric's types (Estimate, GradientEstimate): re-export them.
@_exported import ADNumeric
