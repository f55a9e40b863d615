"""Flask extensions, created once and bound in create_app."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Log in om deze pagina te zien."
login_manager.session_protection = "strong"
migrate = Migrate()
csrf = CSRFProtect()

# Storage from RATELIMIT_STORAGE_URI: Redis in production, so limits hold across web workers.
limiter = Limiter(key_func=get_remote_address)
