"""Commands beside the CLI, not stages: lock, verify, guard, redact, Jenkins trigger and webhook relay."""
