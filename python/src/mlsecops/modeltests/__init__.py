"""Stage 7's tests, one file each; see `base.py` and the registry in `suite.py`."""
