"""Survey templates, questions, schedules and responses."""
