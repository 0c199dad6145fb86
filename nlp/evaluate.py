"""`python -m nlp.evaluate`: score the theming pipeline on a labelled CSV.

The code is nlp.commands.evaluate; this module is only the documented entry point.
"""

from nlp.commands.evaluate import main

if __name__ == "__main__":
    raise SystemExit(main())
