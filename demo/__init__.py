"""Demo data for `make run` and `seed_demo`: outside the layers (it may import any app;
no app imports it)."""
