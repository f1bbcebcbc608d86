"""Look-alike nicknames: a name that reads the same as one already playing is taken."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quiz.extensions import db
from quiz.live.models import LivePlayer
from quiz.live.service import LiveError, clean_nickname
from quiz.security.lookalikes import skeleton
from tests.helpers.forms import token_in
from tests.helpers.live import create, join

CYRILLIC_I = "\u0456"  # looks like a Latin i
TWINS = [
    "tw" + CYRILLIC_I + "ce",  # the issue's: a Cyrillic i
    "\uff54\uff57\uff49\uff43\uff45",  # full-width letters
    "TWICE",  # case, as before
    "Tw" + CYRILLIC_I + "CE",  # case and a Cyrillic i together
    "t\u0461ice",  # a Cyrillic omega, which Unicode counts as a w
]


@pytest.mark.parametrize("twin", TWINS)
def test_a_look_alike_of_a_player_is_taken(synced, host, twin):
    _, pin = create(host)
    assert join(synced, pin, "twice")[1].status_code == 303
    _, response = join(synced, pin, twin)
    assert response.status_code == 400
    assert "looks just like it" in response.get_data(as_text=True)


def test_names_that_only_share_letters_are_not_twins(synced, host):
    _, pin = create(host)
    for name in ("twice", "twice2", "Anne", "Ann", "jose", "Jos\u00e9"):
        assert join(synced, pin, name)[1].status_code == 303, name
    assert join(synced, pin, "Jose\u0301")[1].status_code == 400  # é written as e and an accent


def test_a_kicked_player_cannot_return_under_a_twin_name(synced, host):
    session_id, pin = create(host)
    join(synced, pin, "twice")
    with synced.app_context():
        player_id = db.session.scalar(select(LivePlayer.id))
    body = host.get(f"/live/{session_id}/host").get_data(as_text=True)
    kicked = host.post(f"/live/{session_id}/players/{player_id}/kick", data={"csrf_token": token_in(body)})
    assert kicked.status_code in (302, 303)
    assert join(synced, pin, "tw" + CYRILLIC_I + "ce")[1].status_code == 400


def test_the_key_is_unicodes_skeleton():
    assert skeleton("tw" + CYRILLIC_I + "ce") == skeleton("twice") == skeleton("TWICE")
    assert skeleton("\u0430dm\u0456n") == skeleton("admin")  # Cyrillic a and i
    assert skeleton("m") == skeleton("rn")  # Unicode's own prototype for m
    assert skeleton("twice") != skeleton("twlce")  # an l is not an i once case is folded


def test_the_database_refuses_a_second_twin(synced, host):
    """Two joins racing under twin names: the unique index settles it, not only the check."""
    _, pin = create(host)
    join(synced, pin, "twice")
    with synced.app_context():
        player = db.session.scalars(select(LivePlayer)).one()
        twin = "tw" + CYRILLIC_I + "ce"
        db.session.add(LivePlayer(session_id=player.session_id, token="other", nickname=twin,
                                  nickname_key=twin, nickname_skeleton=player.nickname_skeleton))
        with pytest.raises(IntegrityError, match="UNIQUE"):
            db.session.commit()


def test_a_name_whose_folded_key_outgrows_its_column_is_refused_plainly():
    # Twenty "ﬃ" fold to sixty letters: PostgreSQL's 40-character key column refused the row.
    with pytest.raises(LiveError, match="at most 20 characters"):
        clean_nickname("ﬃ" * 20)
    assert clean_nickname("ﬃ" * 13) == "ﬃ" * 13
