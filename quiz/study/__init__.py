"""Self-study: quizzes with instant feedback, results, and progress per concept."""

from __future__ import annotations


def init_app(app) -> None:
    """Add the study pages; signing in on this app claims the visitor's attempts."""
    from flask_login import user_logged_in

    from quiz.study.views import blueprint
    from quiz.study.visitors import claim_on_sign_in

    app.register_blueprint(blueprint)
    user_logged_in.connect(claim_on_sign_in, app)
