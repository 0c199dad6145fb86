"""The training programme and the chain from course to impact.

- `programme`: courses, sessions (each with its own evaluation link), attendance and its erasure
- `keys`: the pseudonymous person-course key
- `course_forms`: the evaluation and follow-up a session's trainee answers, made from the course
- `chain`: an evaluation linked to its 6–8 week follow-up (scheduling, sending, one reminder)
- `figures`: reach, reaction, confidence change and follow-ups, per course, session,
  organisation and sector, with small groups suppressed
"""
