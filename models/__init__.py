"""Persistence only: one module per noun. Importing this package registers every model."""

from models.aanpak_koppeling import AanpakKoppeling
from models.adres import Adres
from models.audit import AuditEntry
from models.auth_token import PasswordReset, RecoveryCode
from models.base import db, utcnow
from models.bestuur import Bestuur
from models.bijlage import Bijlage, BijlageSoort, GekozenBestand
from models.budget import Budget, Toekenning
from models.concept import Concept
from models.dossier import Dossier
from models.formulier import Formulier
from models.functie import Functie
from models.hulpvraag import Hulpvraag
from models.human_task import HumanTask
from models.incident import Incident
from models.inlogvertraging import InlogVertraging
from models.login_session import LoginSession
from models.lvs import Koppeling, LvsAanvraag, LvsPush
from models.mail import OutgoingMail
from models.process_definition import ProcessDefinition
from models.process_instance import ProcessInstance
from models.publicatie_poging import PublicatiePoging
from models.retentie import Retentievoorstel, Verwijderverslag
from models.samenwerkingsverband import Samenwerkingsverband
from models.school import School
from models.schoolgegevens import Schoolgegevens
from models.statuswijziging import Statuswijziging
from models.tlv import TLV
from models.user import Rol, User, UserRol
from models.vergadering import Agendapunt, Vergadering, VergaderingLid
from models.voorkeur import Voorkeur
from models.wijk import Wijk
from models.zoeken import TRIGRAM_VELDEN  # noqa: F401 - registers the search indexes

__all__ = [
    "AanpakKoppeling",
    "Agendapunt",
    "Adres",
    "AuditEntry",
    "Bestuur",
    "Bijlage",
    "BijlageSoort",
    "Concept",
    "Budget",
    "Dossier",
    "Formulier",
    "Functie",
    "GekozenBestand",
    "Hulpvraag",
    "HumanTask",
    "Incident",
    "InlogVertraging",
    "Koppeling",
    "LoginSession",
    "LvsAanvraag",
    "LvsPush",
    "OutgoingMail",
    "PasswordReset",
    "ProcessDefinition",
    "ProcessInstance",
    "PublicatiePoging",
    "RecoveryCode",
    "Retentievoorstel",
    "Rol",
    "Samenwerkingsverband",
    "School",
    "Schoolgegevens",
    "Statuswijziging",
    "TLV",
    "Toekenning",
    "User",
    "UserRol",
    "Vergadering",
    "VergaderingLid",
    "Verwijderverslag",
    "Voorkeur",
    "Wijk",
    "db",
    "utcnow",
]
