// ADCore: the reference AD core (placeholder until the Graph lands).
public enum ADCore {}
