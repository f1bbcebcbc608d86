"""Extension instances, created unbound; ``create_app`` binds them to an app."""

from typing import TYPE_CHECKING, ClassVar

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so that migrations can alter them on SQLite too.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING)
    if TYPE_CHECKING:  # every model maps a Table (none a join or a select): bulk writes use it as one
        __table__: ClassVar[Table]


db = SQLAlchemy(model_class=Base)
# The base every model subclasses: db.Model, which is Base with Flask-SQLAlchemy's session binding
# added when the class is made; the type checker, which cannot follow that, reads it as Base.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate(render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(get_remote_address)  # the limits themselves: quiz/security/limits.py
