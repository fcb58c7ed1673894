"""The labor-assessment rules engine: the rule book (`shared/spec/labor-assessment.md`) as pure code.

No database, clock or file I/O: inputs in (`model.MonthInput`, a `model.RuleSet`), results out
(`model.MonthResult`). `compute` holds the computation (one line-day at a time, or a whole month),
`rules` the versioned rule sets, `explain` the zh/en explanations, `scenario` the scenario-file
format, `exact` the rounding. Implementation notes: `docs/rules.md`.
"""
