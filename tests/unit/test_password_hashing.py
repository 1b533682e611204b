"""Passwords are hashed with scrypt at werkzeug's cost everywhere but in the tests' own config."""

import pytest
from flask import Flask
from werkzeug.security import check_password_hash

from practicum.accounts import hash_password
from practicum.config import Config, ConfigError
from tests.conftest import TEST_HASH_METHOD

SCRYPT_AT_WERKZEUG_COST = "scrypt:32768:8:1$"


def test_an_app_on_the_default_config_hashes_with_scrypt(tmp_path):
    app = Flask(__name__)
    app.config["PRACTICUM"] = Config({"PRACTICUM_INSTANCE_DIR": str(tmp_path)}).resolve()
    with app.app_context():
        hashed = hash_password("a long enough pass phrase")
    assert hashed.startswith(SCRYPT_AT_WERKZEUG_COST)
    assert check_password_hash(hashed, "a long enough pass phrase")
    assert not check_password_hash(hashed, "a long enough pass phrasE")


def test_outside_an_app_passwords_are_hashed_with_scrypt():
    assert hash_password("a long enough pass phrase").startswith(SCRYPT_AT_WERKZEUG_COST)


def test_the_hash_method_is_not_read_from_the_environment(tmp_path):
    config = Config({"PRACTICUM_INSTANCE_DIR": str(tmp_path), "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"})
    assert config.resolve().PASSWORD_HASH_METHOD == "scrypt"


def test_production_refuses_a_cheap_hash_method(tmp_path):
    environ = {
        "PRACTICUM_ENV": "production",
        "DATABASE_URL": "postgresql://x/y",
        "SECRET_KEY": "s" * 40,
        "JWT_SECRET_KEY": "k" * 40,
        "PRACTICUM_INSTANCE_DIR": str(tmp_path),
    }
    with pytest.raises(ConfigError, match="PASSWORD_HASH_METHOD must be scrypt"):
        Config(environ, PASSWORD_HASH_METHOD=TEST_HASH_METHOD).resolve()
    assert Config(environ).resolve().PASSWORD_HASH_METHOD == "scrypt"


def test_hashes_made_by_either_method_keep_working(app):
    # werkzeug reads the method from the stored hash: accounts made before a change still sign in.
    with app.app_context():
        cheap = hash_password("a long enough pass phrase")
    assert cheap.startswith(TEST_HASH_METHOD + "$")
    assert check_password_hash(cheap, "a long enough pass phrase")
