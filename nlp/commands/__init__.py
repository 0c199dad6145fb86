"""The command-line tools of nlp, run as ``python -m nlp.theme``, ``nlp.redact``,
``nlp.screen`` and ``nlp.evaluate`` (thin entry points in nlp/ that call ``main`` here).

Modules: theme (themes of a CSV column), redact (strip personal details from stdin),
screen (disclosure screening of stdin), evaluate (score theming on labelled data).
"""
