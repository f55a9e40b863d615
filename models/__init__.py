"""Persistence only: one module per noun. Importing this package registers every model."""

from models.base import db, utcnow
from models.bestuur import Bestuur
from models.dossier import Dossier
from models.hulpvraag import Hulpvraag
from models.login_session import LoginSession
from models.human_task import HumanTask
from models.process_definition import ProcessDefinition
from models.process_instance import ProcessInstance
from models.samenwerkingsverband import Samenwerkingsverband
from models.school import School
from models.statuswijziging import Statuswijziging
from models.user import Rol, User, UserRol
from models.wijk import Wijk

__all__ = [
    "Bestuur",
    "Dossier",
    "Hulpvraag",
    "HumanTask",
    "LoginSession",
    "ProcessDefinition",
    "ProcessInstance",
    "Rol",
    "Samenwerkingsverband",
    "School",
    "Statuswijziging",
    "User",
    "UserRol",
    "Wijk",
    "db",
    "utcnow",
]
