"""The live sessions' URL rules: the presenter's screens, the players' screens, the event stream.

Every page reads the session's state from the database, so any server process
can serve any request; pages follow changes through the small state endpoint
(polled) or its event stream.
"""

from __future__ import annotations

from flask import Blueprint

from quiz.live import player, presenter, stream
from quiz.security import limits

blueprint = Blueprint("live", __name__)

# The instructor
blueprint.add_url_rule("/live", view_func=presenter.index, methods=["GET", "POST"])
blueprint.add_url_rule("/live/<int:session_id>/host", view_func=presenter.host)
blueprint.add_url_rule("/live/<int:session_id>/act", view_func=presenter.act, methods=["POST"])
blueprint.add_url_rule("/live/<int:session_id>/players/<int:player_id>/kick", view_func=presenter.kick,
                       methods=["POST"])
blueprint.add_url_rule("/live/<int:session_id>/lock", view_func=presenter.lock, methods=["POST"])
blueprint.add_url_rule("/live/<int:session_id>/again", view_func=presenter.play_again, methods=["POST"])
blueprint.add_url_rule("/live/<int:session_id>/results", view_func=presenter.results_page)
blueprint.add_url_rule("/live/<int:session_id>/results/players/<int:player_id>",
                       view_func=presenter.player_results)
blueprint.add_url_rule("/live/<int:session_id>/results.csv", view_func=presenter.results_csv)

# The players; every look-up by PIN counts against its address's budget of PINs that miss.
blueprint.add_url_rule("/join", view_func=player.short_join)  # the address to type, as the lobby shows it
blueprint.add_url_rule("/live/join", view_func=limits.live_join(limits.pin_lookup(player.join)),
                       methods=["GET", "POST"])
blueprint.add_url_rule("/live/<pin>/play", view_func=limits.pin_lookup(player.play))
blueprint.add_url_rule("/live/<pin>/answer", view_func=limits.pin_lookup(player.answer), methods=["POST"])
blueprint.add_url_rule("/live/<pin>/state", view_func=limits.pin_lookup(player.state))
blueprint.add_url_rule("/live/<pin>/events", view_func=limits.pin_lookup(stream.events))
