"""The prompt-injection guard: rules, decoding of smuggled layers, a small n-gram model shipped in the package."""
