"""`python -m nlp.theme`: find themes in a CSV column and write them as JSON.

The code is nlp.commands.theme; this module is only the documented entry point.
"""

from nlp.commands.theme import main

if __name__ == "__main__":
    raise SystemExit(main())
