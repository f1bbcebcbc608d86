"""Who may use each route: every endpoint the app answers, and the roles (tests/helpers/roles.py) it lets in.

A role that may use a route must get past its checks; every other role must be stopped by them.
"""

from __future__ import annotations

from tests.helpers.roles import ROLES

EVERYONE = frozenset(ROLES)


SIGNED_IN = frozenset({"learner", "owner", "instructor", "host"})


INSTRUCTORS = frozenset({"instructor", "host"})


OWNER = frozenset({"owner"})


HOST = frozenset({"host"})


PLAYER = frozenset({"player"})


POLICY: dict[str, frozenset[str]] = {
    "static": EVERYONE,
    "catalog.home": EVERYONE,
    "catalog.bank": EVERYONE,
    "health.healthz": EVERYONE,
    "health.readyz": EVERYONE,
    "accounts.signup": EVERYONE,  # the signed-in are sent on, not refused
    "accounts.login": EVERYONE,
    "accounts.logout": EVERYONE,
    "account.page": SIGNED_IN,
    "account.change_password": SIGNED_IN,
    "account.sign_out_everywhere": SIGNED_IN,
    "account.download": SIGNED_IN,
    "account.delete": SIGNED_IN,
    "study.setup": EVERYONE,
    "study.retry_mistakes": SIGNED_IN,
    "study.practise_weakest": SIGNED_IN,
    "study.resume": OWNER,
    "study.question": OWNER,
    "study.results": OWNER,
    "study.retry_missed": OWNER,
    "study.progress_page": SIGNED_IN,
    "cards.review": SIGNED_IN,
    "cards.rate": SIGNED_IN,  # a card is everyone's; the rating goes to the rater's own state
    "cards.undo": SIGNED_IN,
    "cards.statistics": SIGNED_IN,
    "cards.settings": SIGNED_IN,
    "cards.use_time_zone": SIGNED_IN,
    "exchange.export_page": EVERYONE,
    "exchange.download": EVERYONE,
    "exchange.import_page": INSTRUCTORS,
    "live.index": INSTRUCTORS,
    "live.host": HOST,
    "live.act": HOST,
    "live.kick": HOST,
    "live.lock": HOST,
    "live.results_page": HOST,
    "live.results_csv": HOST,
    "live.player_results": HOST,
    "live.play_again": HOST,
    "live.short_join": EVERYONE,
    "live.join": EVERYONE,
    "live.play": PLAYER,
    "live.answer": PLAYER,
    "live.state": PLAYER | HOST,  # a PIN alone is not enough to follow the screen
    "live.events": PLAYER | HOST,
}

