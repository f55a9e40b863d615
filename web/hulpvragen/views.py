from flask import Blueprint

bp = Blueprint("hulpvragen", __name__)
