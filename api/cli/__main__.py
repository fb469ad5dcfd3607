"""`python -m api.cli` runs the `broadsheet` command."""

from api.cli import main

main()
