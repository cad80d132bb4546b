"""The manager: the account & API service, sole owner of the database."""
