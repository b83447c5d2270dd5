"""Where sign leaves a signed model in its stage folder: read by sign, store and `mlsecops verify`."""

BUNDLE = "model.sig"
PUBLIC_KEY = "public-key.pem"
MODEL_DIR = "model"
