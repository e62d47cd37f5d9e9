"""The applicant's assessment pages: start an assessment, answer it (autosaved with htmx, plain form
posts without JavaScript), evidence, suggestions, contributors, submission, results, comparisons,
an organisation's portfolio and evidence downloads.

Views parse the request, call one service or selector, and render. Domain errors become pages:
NotFound → 404, PermissionDenied → 403 with the reason, Conflict and ValidationFailed → messages
beside the fields or on the indicator's card (409 and 422 for htmx, which assessments.js swaps in).
"""
