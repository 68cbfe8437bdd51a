"""The private people store (data/touchgen.db): who they are, what happened, the stage it led to."""
