"""python -m touchgen: the same as the touchgen command."""

from .cli import main

main()
