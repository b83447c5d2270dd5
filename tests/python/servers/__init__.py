"""Real or small local servers the store, key and signing tests talk to; each binds 127.0.0.1 on a free port."""
