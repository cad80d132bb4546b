"""E-mail: templates in en/ja/ko, the outbox, and the transports that deliver it."""
