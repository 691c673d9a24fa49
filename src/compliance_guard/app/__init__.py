"""The user-facing applications: the ``cguard`` CLI, the checking page, the language server."""
