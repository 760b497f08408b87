"""Each person's data rights: ``export`` (what Upturn holds about them), ``erasure`` (an
admin erases them) and ``retention`` (ended programs' participation data anonymised)."""
