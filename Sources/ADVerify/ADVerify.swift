// ADVerify: tolerances and verdicts (placeholder).
public enum ADVerify {}
