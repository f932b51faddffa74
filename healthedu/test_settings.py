"""Fast, deterministic settings for the test suite."""

from healthedu.settings import *  # noqa: F403
from healthedu.settings import VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_RESULT_BACKEND = "cache+memory://"
MEDIA_ROOT = VAR_DIR / "test-media"
PII_KEY = "test-pii-key-not-secret"
LANGUAGE_CODE = "zh-hans"
