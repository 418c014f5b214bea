"""The production settings as `make bench` runs them, with one gap filled.

clauseten/settings.py does not name the project's own static folder (clauseten/static is not an app's), so with
DEBUG off `collectstatic` misses clauseten.css and every page fails on its manifest entry. Until settings.py has
STATICFILES_DIRS, the bench adds it here; nothing else differs from production.
"""

from clauseten.settings import *
from clauseten.settings import BASE_DIR

STATICFILES_DIRS = [BASE_DIR / "static"] if not globals().get("STATICFILES_DIRS") else STATICFILES_DIRS
