"""The answering core every feature that asks questions shares: what an attempt asks, and its answers' rows.

``selection`` draws the questions and fixes the order their parts are
shown in; ``recording`` writes an answers row exactly once. Study, live
play and whatever else opens attempts call these; this package imports no
feature (a test holds it to that).
"""
