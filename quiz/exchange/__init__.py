"""Export and import of question sets: one module per format, pure functions.

``selection`` picks the questions, ``formats`` is the registry (what each
format carries of each question type), ``exporting`` and ``importing`` run a
format with its report, ``operations`` is the one import flow the web page
and ``quiz import`` share, and each format module (``yaml_format``, ``gift``,
...) turns an ``ExportSet`` into bytes and, where it can, bytes back into a bank.
"""

from __future__ import annotations


def init_app(app) -> None:
    """Add the export and import pages and ``quiz export`` and ``quiz import``."""
    from quiz.exchange.commands import export_command, import_command
    from quiz.exchange.views import blueprint

    app.register_blueprint(blueprint)
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)
