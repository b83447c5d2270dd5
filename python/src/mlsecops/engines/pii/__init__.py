"""The PII engine: entity detection with validators, dataset readers and splitting, per-column statistics, redaction."""
