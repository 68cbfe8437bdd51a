"""The private dashboard: the report's figures, its charts and the one self-contained page."""
