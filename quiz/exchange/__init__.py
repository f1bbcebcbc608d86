"""Export and import of question sets: one module per format, pure functions.

``selection`` picks the questions, ``formats`` is the registry (what each
format carries of each question type), ``exporting`` and ``importing`` run a
format with its report, and each format module (``yaml_format``, ``gift``, ...)
turns an ``ExportSet`` into bytes and, where it can, bytes back into a bank.
"""
