"""mlsecops worker: the ten-stage ML/LLM security pipeline."""

__version__ = "0.1.0"
