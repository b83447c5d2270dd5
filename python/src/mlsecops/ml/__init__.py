"""The ML half of the pipeline: tokenizer, dataset reading, model building, training and metrics.

Heavy libraries (keras, torch, scikit-learn, numpy) are imported inside functions only.
"""
