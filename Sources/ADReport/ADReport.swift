// Renderers for verification results: Markdown, JSON, JUnit XML.
