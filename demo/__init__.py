"""The fictional Riverside partnership: people, answers, cycles and a first theming run.

Only the command line (`flask --app webapp seed-demo`), benchmarks and tests import this
package; nothing in `surveys`, `learning` or `nlp` may (an import-linter contract says so).

    people      organisations, users and the demo password
    answers     valid, varied answers to every built-in form, written from `text/`
    collection  a cycle of every form, filled with the demo answers
    learning    the demo's theming run, learning log, board and actions
"""
