"""The Mapper's eval suite: golden endpoint pairs scored by deterministic deepeval metrics (offline)."""
