"""gunicorn settings; gunicorn reads ./gunicorn.conf.py itself when started from here."""

# Access and error lines never show the tokens in reset, invitation and form links.
logger_class = "webapp.access_log.MaskingLogger"
