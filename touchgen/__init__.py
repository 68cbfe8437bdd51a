"""touchgen: Monday posts to a website, feeds and newsletters, and the readers who write back."""

__version__ = "0.1.0"
