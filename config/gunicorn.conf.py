"""gunicorn's settings from a checkout: the same as `gunicorn -c python:caldav_plugin.gunicorn`, which
is what a deployment uses (the package ships them; see caldav_plugin/gunicorn.py)."""

from caldav_plugin.gunicorn import *  # noqa: F401,F403
from caldav_plugin.gunicorn import post_worker_init, worker_exit  # noqa: F401  (hooks are looked up by name)
