"""The employee directory: reading and checking the HR file, and applying it."""
