from tests.mail.fixtures import _fresh_fake

__all__ = ["_fresh_fake"]
