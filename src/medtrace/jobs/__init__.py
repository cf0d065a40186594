"""Background jobs: a job queue and scheduler kept in the database, run by `medtrace worker`."""
