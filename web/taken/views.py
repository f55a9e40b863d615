from flask import Blueprint

bp = Blueprint("taken", __name__)


@bp.get("/taken")
def inbox() -> str:
    return "taken"
