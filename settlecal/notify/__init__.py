"""Change notifications: subscribers, composing, the outbox and SMTP delivery."""
