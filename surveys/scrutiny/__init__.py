"""Scrutiny, challenge and moderation of organisations' Section 11 / 175 returns.

The partnership's reviewers (people holding the reviewer role, and people an admin names
for one cycle) review each submitted return standard by standard: accept it, or challenge it
with a question or a request for evidence that the organisation answers in the product; they
may record a moderated rating beside the self-rating, with a reason; a return is assured
once every standard is settled; every return gets written feedback. A reviewer never reviews
their own organisation's return. Each partnership reviews its own copy of a shared return.

Modules:
    reviewers   who may review which returns (`check_may_review`), reviewers named per cycle
    reviews     a return standard by standard: accept, moderate, settled, assured, feedback,
                and a cycle's returns with their scrutiny and how long each has waited
    challenges  raise, answer (with evidence), close; an organisation's own challenges
    meetings    challenge meetings and peer challenge events, an outcome per organisation

Services take a `Session`, the `Membership` acting and typed values; they raise
`surveys.errors.ScrutinyError` (a message for the person) or `NotReviewable` (not found).
"""
