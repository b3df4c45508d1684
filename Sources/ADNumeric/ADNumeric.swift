// ADNumeric: numerical oracles (placeholder).
public enum ADNumeric {}
