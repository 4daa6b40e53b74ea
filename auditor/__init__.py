"""Convex Auditor: the Django site (settings, urls, Celery app) and the pure `engine` library.

Deliberately empty: `import auditor.engine` must not load Django or Celery, so the Celery app
is imported by the `projects` app config and by `celery -A auditor.celery`, not from here.
"""
