"""`python -m nlp.screen`: screen text on stdin for possible disclosures.

The code is nlp.commands.screen; this module is only the documented entry point.
"""

from nlp.commands.screen import main

if __name__ == "__main__":
    raise SystemExit(main())
