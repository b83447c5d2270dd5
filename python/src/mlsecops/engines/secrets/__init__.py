"""The secret-detection engine: rules (`rules.py`) and one pass over bytes (`engine.py`)."""
