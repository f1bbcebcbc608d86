"""Flashcards and their scheduler: FSRS reviews of concept and question cards."""

from __future__ import annotations


def init_app(app) -> None:
    """Add the flashcard pages; a content sync plans the deck's writes with its own."""
    from quiz.cards.deck import plan_deck
    from quiz.cards.views import blueprint
    from quiz.catalog.signals import sync_planned

    app.register_blueprint(blueprint)
    sync_planned.connect(plan_deck)
