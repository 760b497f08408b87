"""The matching engine, match runs, pairs and the review workflow."""
