"""Email: multipart mail from the templates, sent over SMTP, printed on the console."""
