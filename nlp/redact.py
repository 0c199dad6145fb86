"""`python -m nlp.redact`: redact personal data from text on stdin.

The code is nlp.commands.redact; this module is only the documented entry point.
"""

from nlp.commands.redact import main

if __name__ == "__main__":
    raise SystemExit(main())
