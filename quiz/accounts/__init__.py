"""Accounts: learners and instructors."""
