"""KIT 1 writes, one module per concern (keyword-only, atomic, validated first).

Import from the module itself; this package re-exports nothing.

- ``catalogue_versions``: the version in force, copy-on-write of an answered version.
- ``questions``: which questions apply, answer cleaning, plan objectives, missing answers.
- ``steps``: creating the steps due (cooperation created, legal form or catalogue changed).
- ``workflow``: who may act, prerequisite locks, submit / validate / return / reopen.
- ``answers``: the team's draft, answers and documents.
- ``comments``: comments on a step.
- ``legal_form``: the team's legal-form decision.
- ``notify``: step events handed to the notification engine.
"""
