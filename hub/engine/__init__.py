"""The labor-assessment rules engine: the rule book (`shared/spec/labor-assessment.md`) as pure code.

No database, clock or file I/O: inputs in (`model.MonthInput`, a `model.RuleSet`), results out
(`model.MonthResult`). `compute` holds the computation (one line-day at a time, or a whole month),
`rules` the versioned rule sets, `explain` the zh/en explanations, `scenario` the scenario-file
format, `exact` the rounding. Implementation notes: `docs/rules.md`.

Both versions of the rule book live here; the rule set's `rule_book` parameter ("v1" or "v2",
versioned by month like every parameter) says which one a month is computed under. A version-2
month needs, besides version 1's inputs: rated assignments (`Assignment(mode="rated", post=...)`),
training flags (`Assignment.training`), labor exemptions (`Inmate.labor_exempt`), and the month's
`ratings`, `rejects` and `deductions` (`MonthInput`); see "Rule book version 2" in `docs/rules.md`.
"""
