"""Progress: mastery, weak spots, mistakes, streak and history, their charts, and the page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest
from sqlalchemy import select

from quiz.accounts.service import create_user
from quiz.extensions import db
from quiz.models import Answer, Attempt, Bank, Concept, Question, QuestionConcept, User
from quiz.study import charts, progress
from quiz.study.progress import MIN_ANSWERS, WINDOW, Mastery

TODAY = date(2024, 3, 10)
PASSWORD = "correct horse battery"
_clock = count()


def at(day: date, hour: int = 12) -> datetime:
    """A moment on ``day``, in UTC."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def tick() -> datetime:
    """A moment later than every earlier call, so answers have a clear order."""
    return at(TODAY - timedelta(days=30)) + timedelta(minutes=next(_clock))


@pytest.fixture
def ctx(app):
    """An app context with three live concepts, a retired one, and a bank of questions."""
    with app.app_context():
        for position, (cid, term) in enumerate(
                [("hypervisor", "Hypervisor"), ("host", "Host"), ("guest", "Guest")]):
            db.session.add(Concept(id=cid, glossary_id="ch01", term=term, definition="d", quote="q",
                                   section="1.1", data={}, position=position))
        db.session.add(Concept(id="old", glossary_id="ch01", term="Old", definition="d", quote="q",
                               section="1.1", data={}, position=3, retired=True))
        db.session.add(Bank(id="bank", title="Bank"))
        db.session.flush()
        yield app


def make_user(name: str = "ada") -> User:
    """A learner with the test password."""
    return create_user(db.session, name, PASSWORD)


def make_question(*concepts: str, retired: bool = False) -> Question:
    """A true/false question testing ``concepts``."""
    number = db.session.scalar(select(db.func.count()).select_from(Question))
    question = Question(bank_id="bank", key=f"q{number}", type="true_false", prompt="?",
                        data={"id": f"q{number}", "type": "true_false", "prompt": "?", "answer": True,
                              "explanation": "", "concepts": list(concepts)},
                        position=number, retired=retired)
    db.session.add(question)
    db.session.flush()
    for concept in concepts:
        db.session.add(QuestionConcept(question_id=question.id, concept_id=concept))
    db.session.flush()
    return question


def make_attempt(user: User, questions: list[Question], finished: datetime | None = None) -> Attempt:
    """An attempt over ``questions``, finished at ``finished`` if given."""
    attempt = Attempt(user_id=user.id, question_ids=[q.id for q in questions], finished_at=finished)
    db.session.add(attempt)
    db.session.flush()
    return attempt


def answer(user: User, question: Question, score: float, when: datetime | None = None,
           attempt: Attempt | None = None) -> Answer:
    """Record ``score`` for ``question`` (in its own attempt unless one is given)."""
    attempt = attempt or make_attempt(user, [question])
    row = Answer(attempt_id=attempt.id, question_id=question.id, response={"value": True},
                 correct=score == 1.0, score=score, answered_at=when or tick())
    db.session.add(row)
    db.session.flush()
    return row


def by_concept(user: User) -> dict[str, Mastery]:
    """The user's mastery, keyed by concept id."""
    return {m.concept_id: m for m in progress.mastery(db.session, user.id)}


# mastery


def test_mastery_lists_live_concepts_in_glossary_order(ctx):
    user = make_user()
    rows = progress.mastery(db.session, user.id)
    assert [m.concept_id for m in rows] == ["hypervisor", "host", "guest"]
    assert all(m.answers == 0 and m.mastery == 0 and m.status == "not started" for m in rows)


def test_mastery_counts_only_the_last_window_of_answers(ctx):
    user, question = make_user(), make_question("hypervisor")
    for _ in range(2):
        answer(user, question, 0.0)  # old mistakes, pushed out of the window
    for _ in range(WINDOW):
        answer(user, question, 1.0)
    m = by_concept(user)["hypervisor"]
    assert (m.answers, m.mastery, m.percent, m.status) == (WINDOW, 1.0, 100, "mastered")


def test_recent_mistakes_pull_mastery_down(ctx):
    user, question = make_user(), make_question("host")
    for _ in range(WINDOW):
        answer(user, question, 1.0)
    for _ in range(3):
        answer(user, question, 0.0)
    m = by_concept(user)["host"]
    assert m.answers == WINDOW
    assert m.mastery == pytest.approx(0.7)
    assert m.status == "learning"


def test_mastery_uses_partial_credit_and_every_concept_a_question_tests(ctx):
    user, both = make_user(), make_question("hypervisor", "host")
    answer(user, both, 0.5)
    answer(user, both, 1.0)
    mastery = by_concept(user)
    assert mastery["hypervisor"].percent == mastery["host"].percent == 75
    assert mastery["guest"].answers == 0


def test_mastery_ignores_other_learners(ctx):
    user, other, question = make_user(), make_user("bob"), make_question("guest")
    answer(other, question, 1.0)
    assert by_concept(user)["guest"].answers == 0
    assert by_concept(other)["guest"].answers == 1


def test_a_mean_of_exactly_the_threshold_is_mastered(ctx):
    # Ten scores of 0.8 sum to a hair under 8.0 in floating point.
    user, question = make_user(), make_question("guest")
    for _ in range(WINDOW):
        answer(user, question, 0.8)
    m = by_concept(user)["guest"]
    assert (m.percent, m.status) == (80, "mastered")


@pytest.mark.parametrize(("answers", "share", "status"), [
    (0, 0.0, "not started"),
    (1, 0.0, "learning"),
    (MIN_ANSWERS - 1, 1.0, "learning"),   # right every time, but too few answers yet
    (MIN_ANSWERS, 0.8, "mastered"),
    (MIN_ANSWERS, 0.79, "learning"),
    (WINDOW, 0.7996, "learning"),         # shown as 79%, never as a "learning" 80%
    (WINDOW, 1.0, "mastered"),
])
def test_status_thresholds(answers, share, status):
    assert Mastery("c", "C", answers, share).status == status


def test_percent_rounds_down_so_it_agrees_with_the_status():
    assert Mastery("c", "C", WINDOW, 0.7996).percent == 79
    assert Mastery("c", "C", WINDOW, 0.8 - 1e-15).percent == 80


# weakest


def test_weakest_ranks_low_mastery_first_untried_last_and_skips_mastered(ctx):
    user = make_user()
    hypervisor, host = make_question("hypervisor"), make_question("host")
    for _ in range(MIN_ANSWERS):
        answer(user, hypervisor, 1.0)   # mastered: never suggested
    answer(user, host, 0.0)
    assert [m.concept_id for m in progress.weakest(db.session, user.id, limit=5)] == ["host", "guest"]
    assert [m.concept_id for m in progress.weakest(db.session, user.id, limit=1)] == ["host"]


def test_weakest_breaks_ties_by_fewer_answers(ctx):
    user = make_user()
    hypervisor, host, guest = (make_question(c) for c in ("hypervisor", "host", "guest"))
    answer(user, hypervisor, 0.5)
    answer(user, hypervisor, 0.5)
    answer(user, host, 0.5)
    answer(user, guest, 0.2)
    ranked = [m.concept_id for m in progress.weakest(db.session, user.id, limit=3)]
    assert ranked == ["guest", "host", "hypervisor"]


# mistakes


def test_mistakes_keep_questions_whose_latest_answer_is_wrong(ctx):
    user = make_user()
    fixed, broke, partial, never = (make_question("host") for _ in range(4))
    answer(user, fixed, 0.0)
    answer(user, fixed, 1.0)
    answer(user, broke, 1.0)
    answer(user, broke, 0.0)
    answer(user, partial, 0.5)
    assert sorted(progress.mistakes(db.session, user.id)) == sorted([broke.id, partial.id])
    assert never.id not in progress.mistakes(db.session, user.id)


def test_mistakes_leave_out_retired_questions_and_other_learners(ctx):
    user, other = make_user(), make_user("bob")
    retired, live = make_question("host", retired=True), make_question("host")
    answer(user, retired, 0.0)
    answer(other, live, 0.0)
    assert progress.mistakes(db.session, user.id) == []
    assert progress.mistakes(db.session, other.id) == [live.id]


# streak


def answer_on(user: User, question: Question, *days_ago: int) -> None:
    """An answer on each of these days before TODAY."""
    for days in days_ago:
        answer(user, question, 1.0, at(TODAY - timedelta(days=days)))


def test_streak_counts_days_in_a_row_up_to_today(ctx):
    user, question = make_user(), make_question("host")
    answer_on(user, question, 0, 0, 1, 2, 4)  # two answers today count once; day 3 is a gap
    assert progress.streak(db.session, user.id, TODAY) == 3


def test_streak_still_counts_from_yesterday_before_todays_first_answer(ctx):
    user, question = make_user(), make_question("host")
    answer_on(user, question, 1, 2)
    assert progress.streak(db.session, user.id, TODAY) == 2


def test_streak_is_broken_by_a_day_without_answers(ctx):
    user, question = make_user(), make_question("host")
    answer_on(user, question, 2, 3, 4)
    assert progress.streak(db.session, user.id, TODAY) == 0


def test_streak_of_a_newcomer_and_of_another_learner(ctx):
    user, other, question = make_user(), make_user("bob"), make_question("host")
    answer_on(other, question, 0)
    assert progress.streak(db.session, user.id, TODAY) == 0
    assert progress.streak(db.session, other.id, TODAY) == 1


def test_streak_uses_the_utc_day(ctx):
    user, question = make_user(), make_question("host")
    answer(user, question, 1.0, datetime(2024, 3, 9, 23, 30, tzinfo=UTC))
    answer(user, question, 1.0, datetime(2024, 3, 10, 0, 30, tzinfo=UTC))
    assert progress.streak(db.session, user.id, TODAY) == 2


# history


def test_history_lists_finished_attempts_oldest_first_with_their_percent(ctx):
    user = make_user()
    questions = [make_question("host") for _ in range(4)]
    late = make_attempt(user, questions, finished=at(TODAY))
    early = make_attempt(user, questions[:2], finished=at(TODAY - timedelta(days=1)))
    open_attempt = make_attempt(user, questions)
    for question, score in zip(questions, [1.0, 1.0, 0.75], strict=False):
        answer(user, question, score, attempt=late)  # the fourth was never answered: it counts 0
    answer(user, questions[0], 1.0, attempt=early)
    answer(user, questions[0], 1.0, attempt=open_attempt)
    points = progress.history(db.session, user.id)
    assert [p.attempt_id for p in points] == [early.id, late.id]
    assert [(p.percent, p.questions) for p in points] == [(50, 2), (69, 4)]  # 2.75 of 4


def test_history_keeps_the_latest_attempts(ctx):
    user, question = make_user(), make_question("host")
    attempts = [make_attempt(user, [question], finished=at(TODAY - timedelta(days=days)))
                for days in range(5)]
    points = progress.history(db.session, user.id, limit=3)
    assert [p.attempt_id for p in points] == [a.id for a in reversed(attempts[:3])]


def test_history_of_a_newcomer_is_empty(ctx):
    assert progress.history(db.session, make_user().id) == []


# charts


def test_line_chart_without_values_has_axes_only():
    chart = charts.line_chart([], [])
    assert chart.empty
    assert (chart.points, chart.polyline, chart.x_labels) == ((), "", ())
    assert [t.text for t in chart.y_ticks] == ["0%", "25%", "50%", "75%", "100%"]


def test_line_chart_puts_a_single_value_in_the_middle():
    chart = charts.line_chart([40], ["1 Mar"], width=200, height=100)
    (point,) = chart.points
    assert point.x == pytest.approx((chart.plot.left + chart.plot.right) / 2)
    assert point.y == pytest.approx(chart.plot.bottom - 0.4 * chart.plot.height)
    assert chart.polyline == ""
    assert [(t.text, t.anchor) for t in chart.x_labels] == [("1 Mar", "middle")]


def test_line_chart_spans_the_plot_and_maps_values_upwards():
    chart = charts.line_chart([0, 50, 100], ["a", "b", "c"])
    first, middle, last = chart.points
    assert (first.x, last.x) == (chart.plot.left, chart.plot.right)
    assert (first.y, middle.y, last.y) == (
        chart.plot.bottom, (chart.plot.top + chart.plot.bottom) / 2, chart.plot.top)
    assert chart.polyline == " ".join(f"{p.x:g},{p.y:g}" for p in chart.points)
    assert [t.anchor for t in chart.x_labels] == ["start", "middle", "end"]


def test_line_chart_clamps_values_outside_the_scale():
    low, high = charts.line_chart([-5, 150], ["a", "b"]).points
    assert low.y == charts.line_chart([0], ["a"]).plot.bottom
    assert high.y == charts.line_chart([0], ["a"]).plot.top
    assert (low.value, high.value) == (-5, 150)  # the true value stays for the text


def test_line_chart_thins_labels_but_keeps_both_ends():
    labels = [str(n) for n in range(30)]
    chart = charts.line_chart(list(range(30)), labels, max_labels=5)
    assert len(chart.points) == 30
    assert [t.text for t in chart.x_labels] == ["0", "7", "14", "22", "29"]


def test_line_chart_ticks_reach_a_y_max_off_the_step():
    chart = charts.line_chart([3], ["a"], y_max=10, y_step=4, suffix="")
    assert [t.text for t in chart.y_ticks] == ["0", "4", "8", "10"]
    assert chart.y_ticks[-1].y == chart.plot.top


def test_line_chart_rejects_mismatched_or_degenerate_input():
    with pytest.raises(ValueError, match="labels"):
        charts.line_chart([1, 2], ["a"])
    with pytest.raises(ValueError):
        charts.line_chart([1], ["a"], y_max=0)


def test_spread():
    assert charts.spread(0, 5) == []
    assert charts.spread(3, 5) == [0, 1, 2]
    assert charts.spread(11, 3) == [0, 5, 10]


# the page


def log_in(client, name: str = "ada") -> None:
    """Sign in through the log-in form, CSRF token and all."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_progress_page_requires_login(client):
    response = client.get("/progress")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_progress_page_shows_mastery_history_streak_and_weakest(ctx, client):
    user = make_user()
    hypervisor, host = make_question("hypervisor"), make_question("host")
    for day in (2, 1):
        attempt = make_attempt(user, [hypervisor, host], finished=at(TODAY - timedelta(days=day)))
        answer(user, hypervisor, 1.0, at(TODAY - timedelta(days=day), 11), attempt)
        answer(user, host, 0.5 * (2 - day), at(TODAY - timedelta(days=day), 11), attempt)
    db.session.commit()
    log_in(client)
    html = client.get("/progress").get_data(as_text=True)
    assert "last 10 answers" in html and "mastered at 80% or more with at least 5 answers" in html
    for term in ("Hypervisor", "Host", "Guest"):
        assert f'<th scope="row">{term}</th>' in html
    assert "not started" in html and "learning" in html
    assert 'role="img"' in html and "<polyline" in html and html.count('class="chart-point"') == 2
    assert "First 50% on 8 March" in html and "latest 75%" in html  # the chart's description
    assert '<td class="num">50%</td>' in html and '<td class="num">75%</td>' in html  # its table
    assert "Finish a quiz to see your history" not in html
    assert re.search(r"<strong>\d+</strong> days? in a row", html)
    forms = re.findall(r'<form method="post" action="/study/weakest">(.*?)</form>', html, re.S)
    assert len(forms) == 3  # host (50% now), hypervisor (too few answers), guest (untried)
    assert all('name="csrf_token"' in form for form in forms)
    assert [re.search(r'name="concept" value="([^"]+)"', f).group(1) for f in forms] == [
        "host", "hypervisor", "guest"]


def test_progress_page_of_a_newcomer(ctx, client):
    make_user()
    db.session.commit()
    log_in(client)
    html = client.get("/progress").get_data(as_text=True)
    assert "Finish a quiz to see your history" in html
    assert 'role="img"' not in html
    assert "<strong>0</strong> days in a row" in html
    assert html.count("not started") >= 3


def test_practise_button_starts_a_quiz_on_that_concept(synced, client):
    with synced.app_context():
        make_user()
        db.session.commit()
    log_in(client)
    synced.config["WTF_CSRF_ENABLED"] = False  # the form's token is checked in the page test
    response = client.post("/study/weakest", data={"concept": "hypervisor"})
    assert response.status_code == 302
    assert re.search(r"/study/attempts/\d+/questions/1$", response.headers["Location"])
    with synced.app_context():
        attempt = db.session.scalars(select(Attempt)).one()
        assert attempt.settings["concepts"] == ["hypervisor"]
        tested = set(db.session.scalars(select(QuestionConcept.question_id).where(
            QuestionConcept.concept_id == "hypervisor")))
        assert set(attempt.question_ids) <= tested
