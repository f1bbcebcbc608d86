"""Flashcards and their scheduler: FSRS reviews of concept and question cards."""
