"""Dependency manifests read into pinned versions, and the vulnerability record every dependency scanner reports."""
