"""Programs, cohorts, participants and their profiles, topics, training and resources."""
