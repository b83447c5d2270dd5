"""Detection engines: the analysis the scanner adapters (`scanners/`) and stages call.

Each sub-package owns one kind of detection and knows nothing of stages, reports or the CLI:
`secrets/` (rules and the matching engine), `pii/` (entities, validators, dataset readers, redaction),
`models/` (model-file formats, the pickle walker, trusted globals), `deps/` (dependency manifests and
vulnerability records), `guard/` (the prompt-injection detector and its model).
"""
