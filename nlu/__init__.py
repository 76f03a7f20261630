"""Natural-language understanding components that parse a citizen's message (runtime side)."""
