"""Instructor-run live sessions: state machine, scoring, views, events."""
