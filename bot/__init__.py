"""pakn-bot: the composition root (config, app factory, NLU, dialogue, pipeline, CLI)."""
