from tests.mail.fixtures import _fresh_fake, resend_fake, settings

__all__ = ["_fresh_fake", "resend_fake", "settings"]
