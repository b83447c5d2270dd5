"""`python -m mlsecops`: the same as the `mlsecops` command."""

from mlsecops.cli import main

main()
