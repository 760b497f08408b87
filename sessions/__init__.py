"""Mentoring sessions, scheduling, notes, goals and reminders."""
