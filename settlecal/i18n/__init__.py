"""The words of the page, the feeds and the e-mails, in each language."""
