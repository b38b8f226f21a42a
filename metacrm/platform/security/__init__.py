"""Users, authentication and (as they land) roles, permissions, tokens and the audit log."""
